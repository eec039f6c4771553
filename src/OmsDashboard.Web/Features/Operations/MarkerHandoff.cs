using System.Collections.Concurrent;
using System.IO.Compression;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Features.Operations;

/// <summary>
/// Marker batches too big for the Blazor circuit, held for the map module to fetch once over HTTP
/// (<c>GET /map/outages/{id}</c>) by the user whose page made them.
/// </summary>
/// <remarks>
/// A storm's first load is 50,000 markers, about 10 MB of JSON. Sent through the circuit it held
/// up everything behind it on that connection for seconds, the grid's own virtualization
/// handshake included, so the grid's rows waited for the map (docs/benchmarks.md). Fetched
/// beside the circuit, gzipped, it does not. A batch is kept at most <see cref="Lifetime"/>, can be
/// taken once, and only by the signed-in user it was made for (its id is a random GUID besides).
/// </remarks>
public sealed class MarkerHandoff(TimeProvider time)
{
    /// <summary>Where a batch is fetched: this, then its id.</summary>
    public const string UrlPrefix = "/map/outages/";

    /// <summary>How long a batch waits for its fetch (the map asks for it at once).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, Parcel> _parcels = new();

    private sealed record Parcel(string Owner, byte[] Json, DateTimeOffset Expires);

    /// <summary>Batches waiting.</summary>
    public int Count => _parcels.Count;

    /// <summary>Holds a batch (JSON) for <paramref name="owner"/> and returns the URL to fetch it from.</summary>
    public string Put(string owner, byte[] json)
    {
        var now = time.GetUtcNow();
        foreach (var (id, parcel) in _parcels)
        {
            if (parcel.Expires <= now)
            {
                _parcels.TryRemove(id, out _);
            }
        }
        var key = Guid.NewGuid();
        _parcels[key] = new Parcel(owner, json, now + Lifetime);
        return UrlPrefix + key.ToString("N");
    }

    /// <summary>The batch, once, for its owner; null when unknown, expired, already taken or someone else's.</summary>
    public byte[]? Take(Guid id, string? user)
    {
        if (user is null || !_parcels.TryGetValue(id, out var parcel) || parcel.Owner != user)
        {
            return null;
        }
        if (!_parcels.TryRemove(id, out _) || parcel.Expires <= time.GetUtcNow())
        {
            return null;
        }
        return parcel.Json;
    }

    /// <summary><c>GET /map/outages/{id}</c>: signed-in dashboard users, their own batches only (404 otherwise).</summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet(UrlPrefix + "{id:guid}", async (Guid id, HttpContext http, MarkerHandoff handoff) =>
            {
                if (handoff.Take(id, http.User.Identity?.Name) is not { } json)
                {
                    return Results.NotFound();
                }
                http.Response.Headers.CacheControl = "no-store";
                if (!http.Request.Headers.AcceptEncoding.Any(v => v is not null && v.Contains("gzip", StringComparison.OrdinalIgnoreCase)))
                {
                    return Results.Bytes(json, "application/json");
                }
                // Fastest: a tenth of the size for little CPU; the batch is sent once.
                using var zipped = new MemoryStream();
                await using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest))
                {
                    await gzip.WriteAsync(json);
                }
                http.Response.Headers.ContentEncoding = "gzip";
                return Results.Bytes(zipped.ToArray(), "application/json");
            })
            .RequireAuthorization(OmsPolicies.ViewDashboard)
            .ExcludeFromDescription();
}
