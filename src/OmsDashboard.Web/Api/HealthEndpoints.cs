using System.Diagnostics;
using Npgsql;

namespace OmsDashboard.Web.Api;

internal static class HealthEndpoints
{
    /// <summary>
    /// <c>GET /health</c>: the database answers and PostGIS is installed in it. 200 when both
    /// hold, 503 otherwise, with what failed; for load balancers and for the operator.
    /// </summary>
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (NpgsqlDataSource dataSource, CancellationToken ct) =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await using var cmd = dataSource.CreateCommand(
                    "SELECT current_setting('server_version'), (SELECT extversion FROM pg_extension WHERE extname = 'postgis')");
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                string server = reader.GetString(0);
                string? postgis = reader.IsDBNull(1) ? null : reader.GetString(1);
                var body = new HealthReport(
                    postgis is null ? "unhealthy" : "healthy",
                    new ComponentHealth("healthy", $"PostgreSQL {server}", clock.ElapsedMilliseconds),
                    new ComponentHealth(postgis is null ? "unhealthy" : "healthy",
                        postgis is null ? "the postgis extension is not installed" : $"PostGIS {postgis}", null));
                return Results.Json(body, statusCode: postgis is null ? 503 : 200);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                var down = new ComponentHealth("unhealthy", e.Message, clock.ElapsedMilliseconds);
                return Results.Json(new HealthReport("unhealthy", down, new ComponentHealth("unknown", "database unreachable", null)), statusCode: 503);
            }
        })
        .WithName("Health")
        .AllowAnonymous()
        .WithTags("Health")
        .Produces<HealthReport>(200)
        .Produces<HealthReport>(503);
}

internal sealed record HealthReport(string Status, ComponentHealth Database, ComponentHealth Postgis);

internal sealed record ComponentHealth(string Status, string Detail, long? DurationMs);
