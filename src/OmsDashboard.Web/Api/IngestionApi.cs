using Microsoft.AspNetCore.Http.HttpResults;
using OmsDashboard.Web.Ingestion;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Api;

/// <summary><c>POST /api/oms/events/{source}</c>, exactly as the contract (§2); keys with the <c>ingest</c> scope (§5).</summary>
internal static class IngestionApi
{
    public static RouteGroupBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/oms/events").WithTags("Ingestion").RequireAuthorization(OmsPolicies.Ingest);

        // The body is read by hand (streaming Utf8JsonReader, per-record errors), not bound: no
        // Accepts metadata, which would also turn other content types away with 415.
        group.MapPost("/{source}", Ingest)
            .WithName("IngestEvents")
            .WithSummary("Stores a batch of one source's signals: a JSON array of 1 to 10,000 records (scada, kaifa, onu or callcenter).")
            .WithDescription("""
                Valid records are stored durably before the answer, even when others are rejected; a record whose id was
                already stored (or came earlier in the batch) is a duplicate and changes nothing. receivedAt defaults to the
                arrival time. 400: the body is not a JSON array of objects; 404: unknown source; 413: more than 10,000 records
                or too large a body; 429: too busy, see Retry-After. Header X-Api-Key with the ingest scope.
                """)
            .Produces<IngestResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static Task<Results<Ok<IngestResponse>, ProblemHttpResult>> Ingest(string source, HttpContext http, SignalIngestor ingestor,
        CancellationToken ct) => ingestor.IngestAsync(http, source, ct);
}
