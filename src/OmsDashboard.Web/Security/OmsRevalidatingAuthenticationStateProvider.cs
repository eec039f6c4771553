using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OmsDashboard.Data.Identity;

namespace OmsDashboard.Web.Security;

/// <summary>
/// A Blazor circuit keeps the user it started with for hours; this checks every
/// <see cref="OmsAuthentication.RevalidationInterval"/> that the user still exists, is not locked
/// and has the same security stamp (no password reset, no lock since). If not, the circuit's user
/// becomes anonymous and the page sends the browser to the sign-in page.
/// </summary>
internal sealed class OmsRevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes,
    IOptions<IdentityOptions> options) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => OmsAuthentication.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var principal = authenticationState.User;
        if (principal.Identity?.AuthenticationType != OmsAuthentication.SessionScheme)
        {
            return true;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<OmsUser>>();
        var user = await users.GetUserAsync(principal);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return false;
        }
        string? stamp = principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
