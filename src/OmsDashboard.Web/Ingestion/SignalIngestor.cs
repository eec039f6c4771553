using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OmsDashboard.Data.Ingestion;
using OmsDashboard.Web.Correlation;

namespace OmsDashboard.Web.Ingestion;

/// <summary>The body of a <c>200</c> from <c>POST /api/oms/events/{source}</c> (contract §2).</summary>
public sealed record IngestResponse(int Accepted, int Duplicates, IReadOnlyList<RejectedRecord> Rejected);

/// <summary>
/// One batch from arrival to answer: the source is known (else <c>404</c>), a turn at the
/// <see cref="IngestionGate"/> (else <c>429</c> with <c>Retry-After</c>), the body read into a
/// pooled buffer within <see cref="IngestionOptions.MaxBodyBytes"/> (else <c>413</c>), parsed
/// (<c>400</c> when it is not a JSON array of objects, <c>413</c> past 10,000 records), the valid
/// records stored durably by <see cref="SignalStore"/>, and a correlation pass requested when
/// anything new was stored.
/// </summary>
public sealed class SignalIngestor(SignalStore store, IngestionGate gate, CorrelationTrigger trigger, Realtime.SignalTicker ticker, TimeProvider time,
    IOptions<IngestionOptions> options, ILogger<SignalIngestor> logger)
{
    public async Task<Results<Ok<IngestResponse>, ProblemHttpResult>> IngestAsync(HttpContext http, string source, CancellationToken ct)
    {
        var schema = SignalSchema.Find(source);
        if (schema is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown source",
                $"There is no source '{source}': signals come from scada, kaifa, onu or callcenter.");
        }
        // receivedAt defaults to when the batch arrived, not to when its turn came.
        var arrival = time.GetUtcNow();
        var o = options.Value;
        if (http.Request.ContentLength > o.MaxBodyBytes)
        {
            return TooLarge(o.MaxBodyBytes);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = o.MaxBodyBytes;
        }

        using var turn = await gate.EnterAsync(ct);
        if (turn is null)
        {
            LogRefused(schema.Name);
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(o.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status429TooManyRequests, "Too busy",
                "The server is storing as many batches as it takes at once. Nothing of this batch was stored: send it again after Retry-After seconds.");
        }

        var clock = Stopwatch.StartNew();
        byte[]? body = null;
        try
        {
            int length;
            try
            {
                (body, length) = await ReadBodyAsync(http.Request, o.MaxBodyBytes, ct);
            }
            catch (BadHttpRequestException e)
            {
                return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? TooLarge(o.MaxBodyBytes)
                    : Problem(e.StatusCode, "Bad request body", e.Message);
            }
            if (body is null)
            {
                return TooLarge(o.MaxBodyBytes);
            }

            ParsedBatch batch;
            try
            {
                batch = SignalBatchParser.Parse(body.AsSpan(0, length), schema, arrival);
            }
            catch (BatchFormatException e)
            {
                var extensions = new Dictionary<string, object?>();
                if (e.Path is not null) extensions["path"] = e.Path;
                if (e.Line is not null) extensions["line"] = e.Line;
                if (e.Position is not null) extensions["position"] = e.Position;
                return Problem(e.StatusCode, e.Title, e.Message, extensions);
            }
            ArrayPool<byte>.Shared.Return(body);
            body = null;

            var parsedIn = clock.Elapsed;
            var (accepted, duplicates) = await StoreAsync(schema, batch, ct);
            logger.LogDebug("{Source} batch: {Total} records, {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected; parsed in {ParseMs:F1} ms, stored in {StoreMs:F1} ms",
                schema.Name, batch.Total, accepted, duplicates, batch.Rejected.Count, parsedIn.TotalMilliseconds, (clock.Elapsed - parsedIn).TotalMilliseconds);
            return TypedResults.Ok(new IngestResponse(accepted, duplicates, batch.Rejected));
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    /// <summary>
    /// Stores a parsed batch's valid records and asks for a correlation pass when any was new: the
    /// one store path of pushed and polled signals (docs/decisions/0009), so both are idempotent
    /// and correlated the same way. Returns how many were new and how many were duplicates (of
    /// stored records, or of records earlier in the batch).
    /// </summary>
    internal async Task<(int Accepted, int Duplicates)> StoreAsync(SignalSchema schema, ParsedBatch batch, CancellationToken ct)
    {
        var stored = batch.Valid.Count == 0 ? [] : await store.StoreAsync(schema.Source, batch.Valid, ct);
        int accepted = stored.Count;
        if (accepted > 0)
        {
            // Stored (committed): the operators' ticker shows it now, the pass correlates it next.
            ticker.Add(schema.Source, batch.Valid, stored);
            trigger.Request();
        }
        return (accepted, batch.Valid.Count + batch.RepeatedInBatch - accepted);
    }

    private long _refused;
    private long _lastRefusalLog = long.MinValue;

    /// <summary>In an overload every refused batch would log: one warning per 10 seconds at most, with the count.</summary>
    private void LogRefused(string source)
    {
        long refused = Interlocked.Increment(ref _refused);
        long now = time.GetTimestamp();
        long last = Interlocked.Read(ref _lastRefusalLog);
        if ((last == long.MinValue || time.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(10))
            && Interlocked.CompareExchange(ref _lastRefusalLog, now, last) == last)
        {
            var (inFlight, waiting) = gate.Load;
            logger.LogWarning("Ingestion busy: {Refused} batches turned away with 429 so far (latest from {Source}; {InFlight} in flight, {Waiting} waiting)",
                refused, source, inFlight, waiting);
        }
    }

    /// <summary>
    /// The whole body in one pooled buffer (parsing needs it contiguous), or a null buffer when it
    /// is larger than <paramref name="max"/>. Kestrel enforces the same limit on its side.
    /// </summary>
    private static async Task<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpRequest request, long max, CancellationToken ct)
    {
        int initial = (int)Math.Min(request.ContentLength ?? 64 * 1024, max + 1);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 4096));
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > max)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, 0);
                    }
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, max + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
            if (length > max)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return (null, 0);
            }
            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static ProblemHttpResult TooLarge(long max) => Problem(StatusCodes.Status413PayloadTooLarge, "Body too large",
        $"The body is larger than {max:N0} bytes. Send at most {IngestionOptions.MaxRecordsPerBatch:N0} records per batch, in smaller batches if need be.");

    private static ProblemHttpResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
}
