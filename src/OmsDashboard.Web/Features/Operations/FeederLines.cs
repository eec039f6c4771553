using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Features.Operations;

/// <summary>
/// The outage map's grey background (every feeder's lines) as one compact JSON document, built
/// once a minute at most and kept gzipped in memory. The map module fetches it over HTTP
/// (<see cref="Url"/>) instead of receiving it through the Blazor circuit.
/// </summary>
/// <remarks>
/// At 150,000 customers the lines are about 67,000 segments: sent as interop arguments they were
/// 5 MB of JSON per page load, read from the database for every page, on the circuit ahead of the
/// outage markers (docs/benchmarks.md, "Operations page at 50,000 active outages"). Here every
/// operator's page shares one read, the browser receives a few hundred KB and draws the
/// background while the markers arrive. Coordinates are rounded to 6 decimals (about 0.1 m): it is
/// a background. Each feeder's segments are one flat array [fromLat, fromLon, toLat, toLon, …].
/// A network imported while the app runs shows in the background within <see cref="Lifetime"/>.
/// </remarks>
public sealed class FeederLines(TopologyQueries topology, TimeProvider time)
{
    /// <summary>Where the map module fetches the lines (a dashboard resource, not part of the HTTP API).</summary>
    public const string Url = "/map/feeder-lines";

    /// <summary>Most feeders drawn, as the maps have always limited them.</summary>
    public const int MaxFeeders = 200;

    /// <summary>How long one read of the network serves every page.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Document? _current;

    /// <summary>The document: its JSON, the same gzipped, and an entity tag of its content.</summary>
    public sealed record Document(byte[] Json, byte[] Gzip, string ETag, DateTimeOffset MadeAt, int Feeders);

    /// <summary>The current document, read again when older than <see cref="Lifetime"/> (one read at a time).</summary>
    public async Task<Document> GetAsync(CancellationToken ct = default)
    {
        if (Fresh(_current) is { } current)
        {
            return current;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (Fresh(_current) is { } made)
            {
                return made;
            }
            var feeders = await topology.GetFeederGeometryAsync(MaxFeeders, ct);
            _current = Build(feeders, time.GetUtcNow());
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Document? Fresh(Document? d) => d is not null && time.GetUtcNow() - d.MadeAt < Lifetime ? d : null;

    /// <summary><c>{"feeders":[{"id":"…","segments":[fromLat,fromLon,toLat,toLon,…]},…]}</c>, plain and gzipped.</summary>
    internal static Document Build(IReadOnlyList<FeederGeometry> feeders, DateTimeOffset madeAt)
    {
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteStartArray("feeders");
            foreach (var f in feeders)
            {
                w.WriteStartObject();
                w.WriteString("id", f.Id);
                w.WriteStartArray("segments");
                foreach (double[] s in f.Segments)
                {
                    foreach (double v in s)
                    {
                        w.WriteNumberValue(Math.Round(v, 6));
                    }
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        byte[] plain = json.ToArray();
        using var zipped = new MemoryStream();
        using (var gzip = new GZipStream(zipped, CompressionLevel.Optimal))
        {
            gzip.Write(plain);
        }
        string etag = "\"" + Convert.ToHexString(SHA256.HashData(plain).AsSpan(0, 12)) + "\"";
        return new Document(plain, zipped.ToArray(), etag, madeAt, feeders.Count);
    }

    /// <summary>
    /// <c>GET /map/feeder-lines</c>: for signed-in dashboard users only, like the pages that draw
    /// it (an anonymous request is sent to sign in, as a page would be).
    /// </summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet(Url, async (HttpContext http, FeederLines lines, CancellationToken ct) =>
            {
                var doc = await lines.GetAsync(ct);
                var response = http.Response;
                response.Headers.ETag = doc.ETag;
                // Private: it is behind sign-in. Short: a re-imported network should show soon.
                response.Headers.CacheControl = "private, max-age=60";
                response.Headers.Vary = HeaderNames.AcceptEncoding;
                if (http.Request.Headers.IfNoneMatch.Contains(doc.ETag))
                {
                    return Results.StatusCode(StatusCodes.Status304NotModified);
                }
                bool gzip = http.Request.Headers.AcceptEncoding.Any(v => v is not null && v.Contains("gzip", StringComparison.OrdinalIgnoreCase));
                if (gzip)
                {
                    response.Headers.ContentEncoding = "gzip";
                }
                return Results.Bytes(gzip ? doc.Gzip : doc.Json, "application/json");
            })
            .RequireAuthorization(OmsPolicies.ViewDashboard)
            .ExcludeFromDescription();
}
