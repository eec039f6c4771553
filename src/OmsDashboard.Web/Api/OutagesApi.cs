using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Correlation;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Api;

/// <summary><c>/api/oms/outages</c> and <c>/api/oms/correlate</c>, exactly as the contract (§3, §4).</summary>
internal static class OutagesApi
{
    public static RouteGroupBuilder MapOutagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/oms").WithTags("Outages");

        group.MapGet("/outages", ListAsync)
            .RequireAuthorization(OmsPolicies.Read)
            .WithName("ListOutages")
            .WithSummary("Outages, newest first: status=active|restored|all (default active), feeder, since, page, pageSize.");
        group.MapGet("/outages/{id}", GetAsync)
            .RequireAuthorization(OmsPolicies.Read)
            .WithName("GetOutage")
            .WithSummary("One outage (by id or event id) with its sources, timeline and explanation.");
        group.MapPost("/correlate", CorrelateAsync)
            .RequireAuthorization(OmsPolicies.Operate)
            .WithName("Correlate")
            .WithSummary("Runs a correlation pass now over every stored signal not yet correlated; asOf advances the engine's clock (replay).");
        return group;
    }

    private static async Task<Results<Ok<OutagePageDto>, ValidationProblem>> ListAsync(OutageQueries queries, CancellationToken ct,
        string? status = null, string? feeder = null, DateTimeOffset? since = null, int? page = null, int? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        status ??= "active";
        if (status is not ("active" or "restored" or "all")) errors["status"] = [$"'{status}' is not one of active, restored, all"];
        if (page is < 1) errors["page"] = ["must be 1 or more"];
        if (pageSize is < 1 or > 1000) errors["pageSize"] = ["must be between 1 and 1000"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "Invalid outage query");
        var result = await queries.ListAsync(new OutageFilter(status, string.IsNullOrEmpty(feeder) ? null : feeder, since, page ?? 1, pageSize ?? 100), ct);
        return TypedResults.Ok(new OutagePageDto(result.Total, result.Items));
    }

    private static async Task<Results<Ok<OutageDetailDto>, ProblemHttpResult>> GetAsync(string id, OutageQueries queries, CancellationToken ct)
    {
        var detail = await queries.GetAsync(id, ct);
        return detail is null
            ? TypedResults.Problem(statusCode: 404, title: "No such outage", detail: $"No outage has the id or event id '{id}'.")
            : TypedResults.Ok(OutageDetailDto.From(detail));
    }

    private static async Task<Ok<CorrelationPassResult>> CorrelateAsync(CorrelationRunner runner, CancellationToken ct, DateTimeOffset? asOf = null) =>
        TypedResults.Ok(await runner.RunOnceAsync(asOf, ct));
}

internal sealed record OutagePageDto(long Total, IReadOnlyList<OutageItem> Items);

/// <summary>The outage object of §4 plus <c>sources</c>, <c>timeline</c> and <c>explanation</c>.</summary>
internal sealed record OutageDetailDto(
    Guid Id, string EventId, string Status, string Severity, decimal Confidence, string? DeviceId, string? DeviceKind,
    string? FeederId, string? SubstationId, int AffectedCustomers, DateTimeOffset FirstDetectedAt, DateTimeOffset? ConfirmedAt,
    DateTimeOffset? RestoredAt, DateTimeOffset? Etr, IReadOnlyDictionary<string, int> SourceCounts, double? Lat, double? Lon,
    Guid? ParentOutageId, Guid? MergedIntoId, bool HasHazard,
    IReadOnlyList<OutageSource> Sources, IReadOnlyList<OutageTimelineEntry> Timeline, JsonElement? Explanation)
{
    public static OutageDetailDto From(OutageDetail d)
    {
        var o = d.Outage;
        return new OutageDetailDto(o.Id, o.EventId, o.Status, o.Severity, o.Confidence, o.DeviceId, o.DeviceKind, o.FeederId, o.SubstationId,
            o.AffectedCustomers, o.FirstDetectedAt, o.ConfirmedAt, o.RestoredAt, o.Etr, o.SourceCounts, o.Lat, o.Lon, o.ParentOutageId,
            o.MergedIntoId, o.HasHazard, d.Sources, d.Timeline, d.Explanation);
    }
}
