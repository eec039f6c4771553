using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OmsDashboard.Web.Tests.Polling;

/// <summary>
/// A source system's HTTP feed on a real Kestrel server (127.0.0.1, a free port), speaking the
/// polling protocol (docs/polling-feeds.md): <c>GET /feeds/{name}?after=&amp;limit=</c> answers the
/// records after the cursor (here: the index of the last record served) and <c>next</c>. Each
/// named feed can be told to fail: the next N requests with a status, every request, or by never
/// answering (a timeout).
/// </summary>
public sealed class FakeFeed : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Feed> _feeds = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = default!;

    public string Url(string feed) => new Uri(BaseAddress, $"feeds/{feed}").ToString();

    public Feed this[string name] => _feeds.GetOrAdd(name, _ => new Feed());

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/feeds/{name}", Serve);
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    private async Task<IResult> Serve(string name, int? limit, string? after, HttpContext http)
    {
        var feed = this[name];
        feed.Requests.Enqueue(after);
        // The pollers are configured with this header: a request without it did not come from their settings.
        if (http.Request.Headers["X-Feed-Key"] != "feed-secret")
        {
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }
        if (feed.Hang)
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }
        if (feed.FailAlways is { } always)
        {
            return Results.StatusCode(always);
        }
        if (feed.FailNext.TryDequeue(out int status))
        {
            return Results.StatusCode(status);
        }
        int from = after is null ? 0 : int.Parse(after, CultureInfo.InvariantCulture) + 1;
        var page = feed.Records.Skip(from).Take(limit ?? 100).ToList();
        string records = "[" + string.Join(",", page) + "]";
        string next = page.Count == 0 ? (after is null ? "null" : $"\"{after}\"") : $"\"{from + page.Count - 1}\"";
        return Results.Text($$"""{"records":{{records}},"next":{{next}}}""", "application/json");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>One named feed: its records (JSON objects, in order), what it was asked, and how it fails.</summary>
    public sealed class Feed
    {
        private readonly List<string> _records = [];

        public IReadOnlyList<string> Records
        {
            get
            {
                lock (_records)
                {
                    return [.. _records];
                }
            }
        }

        /// <summary>The <c>after</c> of each request, in order (null for a first page).</summary>
        public ConcurrentQueue<string?> Requests { get; } = new();

        /// <summary>Statuses for the next requests, one each.</summary>
        public ConcurrentQueue<int> FailNext { get; } = new();

        /// <summary>A status for every request while set.</summary>
        public int? FailAlways { get; set; }

        /// <summary>Never answer (until the client gives up).</summary>
        public bool Hang { get; set; }

        public void Add(params string[] records)
        {
            lock (_records)
            {
                _records.AddRange(records);
            }
        }
    }
}
