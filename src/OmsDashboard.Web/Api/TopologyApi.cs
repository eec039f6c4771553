using OmsDashboard.Data.Queries;

namespace OmsDashboard.Web.Api;

internal static class TopologyApi
{
    public static void MapTopologyApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/oms/topology").WithTags("Topology").RequireAuthorization(Security.OmsPolicies.Read);

        group.MapGet("/summary", async (TopologyQueries queries, CancellationToken ct) =>
            TypedResults.Ok(TopologySummaryDto.From(await queries.GetSummaryAsync(ct))))
            .WithName("GetTopologySummary")
            .WithSummary("Counts of network elements per kind, over the network and per feeder.");
    }
}

/// <summary>The body of <c>GET /api/oms/topology/summary</c>.</summary>
internal sealed record TopologySummaryDto(long Substations, long Feeders, IReadOnlyDictionary<string, long> Counts,
    IReadOnlyList<FeederSummaryDto> PerFeeder)
{
    public static TopologySummaryDto From(TopologySummary s) => new(
        s.Substations,
        s.Feeders,
        CountsOf(s.Substations, s.Feeders, s.Totals),
        [.. s.FeederDetails.Select(f => new FeederSummaryDto(f.Id, f.Name, f.SubstationId, f.SubstationName, CountsOf(null, null, f.Counts)))]);

    private static Dictionary<string, long> CountsOf(long? substations, long? feeders, KindCounts c)
    {
        var d = new Dictionary<string, long>();
        if (substations is { } s) d["substation"] = s;
        if (feeders is { } f) d["feeder"] = f;
        d["recloser"] = c.Recloser;
        d["fuse"] = c.Fuse;
        d["switch"] = c.Switch;
        d["transformer"] = c.Transformer;
        d["customer"] = c.Customer;
        d["meter"] = c.Meter;
        d["onu"] = c.Onu;
        return d;
    }
}

internal sealed record FeederSummaryDto(string FeederId, string Name, string SubstationId, string SubstationName,
    IReadOnlyDictionary<string, long> Counts);
