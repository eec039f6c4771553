using Microsoft.AspNetCore.Http.HttpResults;
using OmsDashboard.Web.Polling;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Api;

/// <summary><c>GET /api/oms/sources/health</c>: an extension of the contract (docs/polling-feeds.md); read scope.</summary>
internal static class SourcesApi
{
    public static RouteGroupBuilder MapSourcesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/oms/sources").WithTags("Sources");
        group.MapGet("/health", GetHealthAsync)
            .RequireAuthorization(OmsPolicies.Read)
            .WithName("GetSourcesHealth")
            .WithSummary("Per configured poller: status (ok, failing, pending), newest record and lag, last success, consecutive failures, last error; per source: newest record and lag.")
            .Produces<SourcesHealthDto>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return group;
    }

    private static async Task<Ok<SourcesHealthDto>> GetHealthAsync(SourceHealthService health, CancellationToken ct) =>
        TypedResults.Ok(await health.GetAsync(ct));
}
