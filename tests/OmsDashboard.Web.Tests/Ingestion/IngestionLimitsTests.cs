using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OmsDashboard.Data.Ingestion;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Testing;

namespace OmsDashboard.Web.Tests.Ingestion;

/// <summary>
/// A signal store that can hold a batch inside it, in flight, until the test lets it go:
/// deterministic load without timing.
/// </summary>
public sealed class GatedSignalStore(NpgsqlDataSource dataSource) : SignalStore(dataSource)
{
    private volatile Hold? _hold;

    public sealed class Hold
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when a batch is inside the store, holding its turn.</summary>
        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        internal async Task WaitAsync()
        {
            _entered.TrySetResult();
            await _released.Task.WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>The next batch stored waits inside the store until <see cref="Hold.Release"/>.</summary>
    public Hold HoldNext() => _hold = new Hold();

    public override async Task<IReadOnlyList<string>> StoreAsync(SourceSystem source, IReadOnlyList<IncomingSignal> records, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _hold, null) is { } hold)
        {
            await hold.WaitAsync();
        }
        return await base.StoreAsync(source, records, cancellationToken);
    }
}

/// <summary>The app with a tiny ingestion bound (one batch at a time, none waiting) and a 64 KiB body cap.</summary>
public sealed class LimitedIngestionHost : IAsyncLifetime
{
    public const int MaxBodyBytes = 64 * 1024;

    private TestDatabase? _database;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public TestDatabase Database => _database!;

    public GatedSignalStore Store => (GatedSignalStore)Factory.Services.GetRequiredService<SignalStore>();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateMigratedAsync("web_limits");
        Factory = IngestionHost.Create(_database, builder =>
        {
            builder.UseSetting("Oms:Ingestion:MaxConcurrentBatches", "1");
            builder.UseSetting("Oms:Ingestion:MaxQueuedBatches", "0");
            builder.UseSetting("Oms:Ingestion:MaxQueueWait", "00:00:00");
            builder.UseSetting("Oms:Ingestion:RetryAfter", "00:00:07");
            builder.UseSetting("Oms:Ingestion:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureTestServices(s => s.AddSingleton<SignalStore>(sp => new GatedSignalStore(sp.GetRequiredService<NpgsqlDataSource>())));
        });
        _ = Factory.Server;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await _database!.DisposeAsync();
    }
}

/// <summary>429 when the in-flight bound is reached, 413 past the body cap: the server sheds load instead of falling over.</summary>
public sealed class IngestionLimitsTests(LimitedIngestionHost host) : IClassFixture<LimitedIngestionHost>, IDisposable
{
    private readonly HttpClient _client = CreateClient(host);
    private readonly string _p = "L" + Guid.NewGuid().ToString("N")[..8] + "-";

    private static HttpClient CreateClient(LimitedIngestionHost host)
    {
        var client = host.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", IngestionHost.AllScopesKey);
        return client;
    }

    public void Dispose() => _client.Dispose();

    private Task<long> Stored(string like) => host.Database.ScalarAsync<long>($"SELECT count(*) FROM kaifa_events WHERE event_id LIKE '{like}%'");

    [Fact]
    public async Task Post_WhileTheOnlyTurnIsHeld_Returns429WithRetryAfterAndStoresNothing_ThenTakesItAgain()
    {
        var hold = host.Store.HoldNext();
        var first = _client.PostAsync("kaifa", Batches.Gasps(_p + "A", 20));
        await hold.Entered.WaitAsync(TimeSpan.FromMinutes(1)); // the first batch is in flight, holding the only turn

        using var busy = await _client.PostAsync("kaifa", Batches.Gasps(_p + "B", 20));

        string body = await busy.Content.ReadAsStringAsync();
        Assert.True(busy.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)busy.StatusCode}: {body}");
        Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(7), busy.Headers.RetryAfter?.Delta);
        Assert.Equal(429, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.Equal(0, await Stored(_p + "B"));

        hold.Release();
        Assert.Equal(20, (await (await first).ReadResultAsync()).Accepted);
        // The turn is back: the refused batch goes in when sent again.
        Assert.Equal(20, (await (await _client.PostAsync("kaifa", Batches.Gasps(_p + "B", 20))).ReadResultAsync()).Accepted);
    }

    [Fact]
    public async Task Post_AfterARefusedBody_TheTurnIsFreeAgain()
    {
        using var bad = await _client.PostAsync("kaifa", "{}");
        using var tooMany = await _client.PostAsync("kaifa", Batches.Gasps(_p, 10_001));
        using var good = await _client.PostAsync("kaifa", Batches.Gasps(_p, 3));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Equal(3, (await good.ReadResultAsync()).Accepted);
    }

    [Fact]
    public async Task Post_BodyOverTheCap_Returns413_WithOrWithoutContentLength()
    {
        string json = Batches.Gasps(_p, 1000);
        Assert.True(Encoding.UTF8.GetByteCount(json) > LimitedIngestionHost.MaxBodyBytes);

        using var declared = await _client.PostAsync("kaifa", json);
        using var chunked = await _client.PostAsync("/api/oms/events/kaifa", new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(json))));

        foreach (var response in new[] { declared, chunked })
        {
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {body}");
            Assert.Contains("65,536 bytes", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await Stored(_p));
    }

    /// <summary>A body of unknown length (sent chunked): the server must count what it reads.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
