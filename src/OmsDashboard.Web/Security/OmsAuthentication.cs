using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace OmsDashboard.Web.Security;

/// <summary>
/// How a request is authenticated (docs/decisions/0008): the default scheme <see cref="Scheme"/>
/// forwards each request to exactly one real scheme — the API key when the request carries one,
/// otherwise the user's session cookie (ASP.NET Core Identity). So a source system never needs a
/// session, a person never needs a key, and one request is never two callers at once.
/// </summary>
public static class OmsAuthentication
{
    /// <summary>The default (policy) scheme that picks <see cref="ApiKeyDefaults.Scheme"/> or <see cref="SessionScheme"/>.</summary>
    public const string Scheme = "Oms";

    /// <summary>Identity's application cookie (<see cref="IdentityConstants.ApplicationScheme"/>): the signed-in user's session.</summary>
    public const string SessionScheme = "Identity.Application";

    /// <summary>The session cookie's name.</summary>
    public const string SessionCookie = ".Oms.Session";

    public const string SignInPath = "/signin";
    public const string SignOutPath = "/signout";
    public const string AccessDeniedPath = "/access-denied";

    /// <summary>A signed-in session lasts a control-room shift while idle; every request renews it (sliding).</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    /// <summary>How soon a locked account, a reset password or a removed role reaches sessions and open circuits.</summary>
    public static readonly TimeSpan RevalidationInterval = TimeSpan.FromMinutes(1);

    /// <summary>The HTTP API and the SignalR hubs: refusals there are ProblemDetails, never redirects.</summary>
    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments(ApiKeyDefaults.HubsPath);

    /// <summary>
    /// The scheme for this request. A key wins over a cookie. An API request without either goes
    /// to the key scheme, whose challenge is the contract's <c>401</c> naming <c>X-Api-Key</c>.
    /// </summary>
    public static string SelectScheme(HttpContext context)
    {
        var request = context.Request;
        if (ApiKeyDefaults.IsPresent(request))
        {
            return ApiKeyDefaults.Scheme;
        }
        if (IsApiRequest(request) && !request.Cookies.ContainsKey(SessionCookie))
        {
            return ApiKeyDefaults.Scheme;
        }
        return SessionScheme;
    }

    /// <summary>The session cookie as the framework intends, plus ProblemDetails instead of redirects for API requests.</summary>
    public static void ConfigureSession(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = SessionCookie;
        o.Cookie.HttpOnly = true;
        // Lax: the cookie is not sent on cross-site POSTs (so a foreign page cannot make a
        // signed-in browser call POST /api/oms/correlate), yet a link from a mail or another
        // tool opens the dashboard signed in. Strict would break that for no gain here.
        o.Cookie.SameSite = SameSiteMode.Lax;
        // Secure whenever the request came over HTTPS; the embedded default serves plain HTTP on loopback.
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = SessionLifetime;
        o.SlidingExpiration = true;
        o.LoginPath = SignInPath;
        o.LogoutPath = SignOutPath;
        o.AccessDeniedPath = AccessDeniedPath;
        o.Events.OnRedirectToLogin = context => IsApiRequest(context.Request)
            ? Problem(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                $"The session has ended: sign in again, or send an API key in the {ApiKeyDefaults.Header} header.")
            : Redirect(context);
        o.Events.OnRedirectToAccessDenied = context => IsApiRequest(context.Request)
            ? Problem(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "Your role may not do this.")
            : Redirect(context);
    }

    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static Task Problem(HttpContext http, int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(http);

    /// <summary>A local path to go back to after signing in; anything else (another site, <c>//host</c>) becomes the start page.</summary>
    public static string LocalReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
            ? url
            : DashboardUrls.Operations;
}
