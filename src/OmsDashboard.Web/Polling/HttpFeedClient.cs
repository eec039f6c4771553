using System.Globalization;
using System.Net;
using System.Text.Json;
using OmsDashboard.Data.Polling;
using OmsDashboard.Web.Ingestion;

namespace OmsDashboard.Web.Polling;

/// <summary>
/// Pulls pages from an HTTP JSON feed (docs/polling-feeds.md): <c>GET {url}?after={cursor}&amp;limit={n}</c>
/// answered by <c>{"records":[…contract §2 records…],"next":"…"}</c>. The records array goes
/// through <see cref="SignalBatchParser"/> exactly as a pushed batch does. A typed client of
/// <see cref="IHttpClientFactory"/>: handlers are pooled and recycled, DNS changes are seen.
/// </summary>
public sealed class HttpFeedClient(HttpClient http, TimeProvider time)
{
    /// <summary>The largest page body read, in bytes (10,000 records at every text field's cap still fit).</summary>
    private const long MaxBodyBytes = 64L * 1024 * 1024;

    internal async Task<PulledPage> PullAsync(PolledSourceOptions source, SignalSchema schema, string? cursor, CancellationToken ct)
    {
        string url = PageUrl(source.Url!, cursor, source.BatchSize);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(source.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        foreach (var (name, value) in source.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        byte[] body;
        DateTimeOffset arrival;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                int status = (int)response.StatusCode;
                bool transient = status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                throw new PollingException($"GET {url} answered {status} {response.ReasonPhrase}{(transient ? "" : " (not retried: the request itself is refused)")}", transient);
            }
            if (response.Content.Headers.ContentLength > MaxBodyBytes)
            {
                throw new PollingException($"GET {url}: the page is {response.Content.Headers.ContentLength:N0} bytes, more than {MaxBodyBytes:N0}; lower BatchSize.", transient: false);
            }
            body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            arrival = time.GetUtcNow();
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new PollingException($"GET {url} timed out after {source.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s", transient: true, e);
        }
        catch (HttpRequestException e)
        {
            // Refused, reset or unreachable: the feed may be back in a moment.
            throw new PollingException($"GET {url} failed: {e.Message}", transient: true, e);
        }
        return Read(body, url, source.BatchSize, schema, cursor, arrival);
    }

    /// <summary>The URL of the page after <paramref name="cursor"/> (the first page without <c>after</c>).</summary>
    public static string PageUrl(string url, string? cursor, int limit)
    {
        string separator = url.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        string after = cursor is null ? "" : "after=" + Uri.EscapeDataString(cursor) + "&";
        return $"{url}{separator}{after}limit={limit.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Reads a page body: the records array's bytes go to the push API's parser, untouched.</summary>
    private static PulledPage Read(byte[] body, string url, int limit, SignalSchema schema, string? cursor, DateTimeOffset arrival)
    {
        int recordsStart = -1, recordsEnd = -1;
        bool empty = true;
        string? next = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Protocol(url, "the body is not a JSON object {\"records\":[…],\"next\":\"…\"}");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("records"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw Protocol(url, $"\"records\" must be an array; it is {reader.TokenType}");
                    }
                    recordsStart = (int)reader.TokenStartIndex;
                    var probe = reader;
                    probe.Read();
                    empty = probe.TokenType == JsonTokenType.EndArray;
                    reader.Skip();
                    recordsEnd = (int)reader.BytesConsumed;
                }
                else if (reader.ValueTextEquals("next"u8))
                {
                    reader.Read();
                    next = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Null => null,
                        _ => throw Protocol(url, $"\"next\" must be a string or null; it is {reader.TokenType}"),
                    };
                }
                else
                {
                    reader.Read();
                    reader.Skip(); // other fields are the feed's business
                }
            }
        }
        catch (JsonException e)
        {
            throw Protocol(url, $"the body is not valid JSON (line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1})");
        }
        if (recordsStart < 0)
        {
            throw Protocol(url, "the body has no \"records\" array");
        }
        if (empty)
        {
            return PulledPage.Empty with { Next = next ?? cursor };
        }
        if (string.IsNullOrEmpty(next))
        {
            throw Protocol(url, "the page has records but no \"next\" cursor to continue after them");
        }
        if (next == cursor)
        {
            throw Protocol(url, $"the page has records but \"next\" did not move past \"{cursor}\": the same page would be pulled for ever");
        }
        ParsedBatch batch;
        try
        {
            batch = SignalBatchParser.Parse(body.AsSpan(recordsStart, recordsEnd - recordsStart), schema, arrival);
        }
        catch (BatchFormatException e)
        {
            throw Protocol(url, $"\"records\": {e.Message}");
        }
        var rejections = batch.Rejected.Select(r => new PolledRejection($"GET {url} records[{r.Index}]", r.Id, r.Errors)).ToList();
        return new PulledPage(batch, rejections, next, batch.Total, MoreWaiting: batch.Total >= limit);
    }

    private static PollingException Protocol(string url, string what) =>
        new($"GET {url}: {what} (docs/polling-feeds.md)", transient: false);
}
