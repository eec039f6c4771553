using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OmsDashboard.Web.Security;

/// <summary>
/// Met by an API key with <see cref="Scope"/> (null: no key will do), or by a signed-in user in one
/// of <see cref="Roles"/>.
/// </summary>
public sealed record OmsAccessRequirement(string Policy, string? Scope, IReadOnlyList<string> Roles) : IAuthorizationRequirement;

/// <summary>
/// Met unless the caller is a key limited to some sources and the route's <c>{source}</c> is not
/// one of them.
/// </summary>
public sealed class IngestSourceRequirement : IAuthorizationRequirement;

internal sealed class OmsAccessHandler : AuthorizationHandler<OmsAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OmsAccessRequirement requirement)
    {
        var user = context.User;
        if (user.Identities.Any(i => i.IsAuthenticated)
            && ((requirement.Scope is not null && user.HasClaim(OmsClaims.Scope, requirement.Scope)) || requirement.Roles.Any(user.IsInRole)))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

internal sealed class IngestSourceHandler : AuthorizationHandler<IngestSourceRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, IngestSourceRequirement requirement)
    {
        var limits = context.User.FindAll(OmsClaims.Source).Select(c => c.Value).ToList();
        if (limits.Count == 0
            || (context.Resource is HttpContext http && http.GetRouteValue("source") is string source && limits.Contains(source, StringComparer.Ordinal)))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Answers a failed authorization with a ProblemDetails: <c>403</c> naming what was missing (the
/// scope, or the source for a key limited to others); <c>401</c> through the scheme's challenge.
/// </summary>
internal sealed class OmsAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // Pages answer a refusal the browser's way (the session scheme redirects to the
        // access-denied page); the API and the hub with a ProblemDetails.
        if (!authorizeResult.Forbidden || context.User.Identity?.IsAuthenticated != true || !OmsAuthentication.IsApiRequest(context.Request))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() ?? [];
        var reasons = new List<string>();
        foreach (var requirement in failed)
        {
            if (requirement is OmsAccessRequirement access)
            {
                reasons.Add(access switch
                {
                    { Scope: { } scope, Roles.Count: > 0 } => $"this needs an API key with the '{scope}' scope, or a user in the role {string.Join(", ", access.Roles)}",
                    { Scope: { } scope } => $"this needs an API key with the '{scope}' scope",
                    _ => $"this needs a user in the role {string.Join(", ", access.Roles)}",
                });
            }
            else if (requirement is IngestSourceRequirement)
            {
                string source = context.GetRouteValue("source") as string ?? "";
                reasons.Add($"this API key may send signals only for {string.Join(", ", context.User.FindAll(OmsClaims.Source).Select(c => c.Value))}, not for '{source}'");
            }
        }
        string detail = reasons.Count == 0 ? "You may not do this." : char.ToUpperInvariant(reasons[0][0]) + string.Join("; ", reasons)[1..] + ".";
        await TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(context);
    }
}
