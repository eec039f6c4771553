using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OmsDashboard.Data.Identity;

namespace OmsDashboard.Web.Security;

internal static class AccountEndpoints
{
    /// <summary>
    /// <c>POST /signout</c> from the app bar's form. A form parameter makes the endpoint validate the
    /// antiforgery token (a foreign page cannot sign a user out); a GET cannot sign out at all.
    /// Signing in is the static-rendered <c>/signin</c> page (cookies cannot be set over a circuit).
    /// </summary>
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost(OmsAuthentication.SignOutPath, async (SignInManager<OmsUser> signIn, [FromForm] string? returnUrl) =>
            {
                await signIn.SignOutAsync();
                string back = OmsAuthentication.LocalReturnUrl(returnUrl);
                return TypedResults.LocalRedirect($"{OmsAuthentication.SignInPath}?ReturnUrl={Uri.EscapeDataString(back)}");
            })
            .ExcludeFromDescription();
}
