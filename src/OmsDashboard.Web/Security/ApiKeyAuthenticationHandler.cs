using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OmsDashboard.Web.Security;

/// <summary>Names of the API key scheme.</summary>
public static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string Header = "X-Api-Key";
    /// <summary>Browsers' WebSocket clients cannot set headers: under <see cref="HubsPath"/> the key may come as this query parameter.</summary>
    public const string QueryParameter = "access_token";
    public const string HubsPath = "/hubs";

    /// <summary>The request carries a key this scheme would read (it may still be a wrong one).</summary>
    public static bool IsPresent(HttpRequest request) =>
        request.Headers.ContainsKey(Header)
        || (request.Path.StartsWithSegments(HubsPath) && !string.IsNullOrEmpty(request.Query[QueryParameter]));
}

/// <summary>
/// Authenticates a request by its API key (<c>X-Api-Key</c>, or <c>access_token</c> on SignalR
/// paths): the principal carries one <see cref="OmsClaims.Scope"/> claim per scope and, for keys
/// limited to some sources, one <see cref="OmsClaims.Source"/> claim per source. No key: no
/// result (another scheme, e.g. a user's session, may still authenticate). A wrong key: failure,
/// and a challenge answers <c>401</c> with a ProblemDetails saying which.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiKeyStore keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly object KeysUnavailable = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers[ApiKeyDefaults.Header];
        if (header.Count > 1)
        {
            return AuthenticateResult.Fail($"Send one {ApiKeyDefaults.Header} header, not {header.Count}.");
        }
        string? key = header.Count == 1 ? header[0] : null;
        if (string.IsNullOrEmpty(key) && Request.Path.StartsWithSegments(ApiKeyDefaults.HubsPath))
        {
            key = Request.Query[ApiKeyDefaults.QueryParameter];
        }
        if (string.IsNullOrEmpty(key))
        {
            return AuthenticateResult.NoResult();
        }
        ApiKeyEntry? entry;
        try
        {
            entry = await keys.FindAsync(key, Context.RequestAborted);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // Anonymous endpoints (/health) must keep working; protected ones answer 503, not "wrong key".
            Logger.LogError(e, "API keys could not be read from the database");
            Context.Items[KeysUnavailable] = true;
            return AuthenticateResult.Fail("API keys cannot be checked now: the database is unavailable.");
        }
        if (entry is null)
        {
            return AuthenticateResult.Fail("The API key is not valid: it is unknown or has been revoked.");
        }
        var claims = new List<Claim>(4 + entry.Scopes.Length + (entry.Sources?.Length ?? 0))
        {
            new(ClaimTypes.NameIdentifier, "apikey:" + entry.Id),
            new(ClaimTypes.Name, entry.Name),
            new(OmsClaims.ApiKeyId, entry.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(entry.Scopes.Select(s => new Claim(OmsClaims.Scope, s)));
        claims.AddRange((entry.Sources ?? []).Select(s => new Claim(OmsClaims.Source, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyDefaults.Scheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyDefaults.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (Context.Items.ContainsKey(KeysUnavailable))
        {
            Response.Headers.RetryAfter = "5";
            await TypedResults.Problem(result.Failure?.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable").ExecuteAsync(Context);
            return;
        }
        Response.Headers.WWWAuthenticate = $"{ApiKeyDefaults.Scheme} header=\"{ApiKeyDefaults.Header}\"";
        string detail = result.Failure?.Message ?? $"This endpoint needs an API key in the {ApiKeyDefaults.Header} header (or a signed-in user).";
        await TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        TypedResults.Problem("This API key may not do this.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(Context);
}
