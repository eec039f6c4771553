using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Web.Correlation;

namespace OmsDashboard.Web.Demo;

/// <summary>
/// The living demo: the storm simulator, run in real time against the stored network, posts its
/// signals through the app's own ingestion API (HTTP, with the embedded API key) — so a newcomer
/// sees outages appear, get confirmed and restore, and storm mode switch on in a burst and off
/// again. On when <c>OMS_DEMO_FEED</c> is true (./run.sh's default), off otherwise.
/// </summary>
public sealed class DemoFeed(IServer server, IHttpClientFactory clients, NpgsqlDataSource dataSource, IConfiguration configuration,
    TimeProvider time, MeterPingRequests pings, ILogger<DemoFeed> logger) : BackgroundService
{
    public static bool IsEnabled(IConfiguration configuration) =>
        string.Equals(configuration["OMS_DEMO_FEED"], "true", StringComparison.OrdinalIgnoreCase);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? key = configuration["OMS_INGEST_API_KEY"];
        if (string.IsNullOrEmpty(key))
        {
            logger.LogWarning("Demo feed off: it posts through the API and needs OMS_INGEST_API_KEY");
            return;
        }
        var baseAddress = await WaitForAddressAsync(stoppingToken);
        using var http = clients.CreateClient("demo");
        http.BaseAddress = baseAddress;
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var network = await NetworkLoader.LoadAsync(dataSource, stoppingToken);
        logger.LogInformation("Demo feed on: simulated faults on {Customers} customers, posted to {Address}", network.Assets.Count, baseAddress);
        var answers = new DemoPingAnswers();
        // The simulated head-end answers the engine's meter pings while the storms play.
        var answering = AnswerPingsAsync(http, answers, stoppingToken);

        for (int cycle = 0; !stoppingToken.IsCancellationRequested; cycle++)
        {
            var start = time.GetUtcNow().AddSeconds(5);
            // Every third cycle is a storm burst (storm mode switches on); the others are an ordinary afternoon.
            bool burst = cycle % 3 == 2;
            var mix = ScenarioMix.Default with
            {
                SustainedDuration = (TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(15)),
                NestedExtra = (TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(8)),
                AtRecloser = burst ? 0.25 : 0.03,
            };
            int seed = (int)(start.ToUnixTimeSeconds() / 60 % 1_000_000);
            // The first cycle's faults come within two minutes: someone who has just started the
            // app sees outages appear after the meters' qualification delay and the engine's hold,
            // not after waiting up to ten minutes for the first fault.
            var spread = TimeSpan.FromMinutes(cycle == 0 ? 2 : burst ? 5 : 10);
            var faults = StormScenarios.Random(network, seed, burst ? 30 : 6, start, spread, mix);
            var storm = new StormSimulator(network, SimulatorOptions.Default, seed).Simulate(faults);
            answers.Add(storm);
            logger.LogInformation("Demo cycle {Cycle}: {Faults} faults, {Signals} signals{Burst}", cycle, faults.Count, storm.Signals.Count, burst ? " (storm burst)" : "");
            await PlayAsync(http, storm.Signals.ToList(), stoppingToken);
        }
        await answering;
    }

    /// <summary>Answers each ping request as the head-end would: the meters that answer, posted as Kaifa records.</summary>
    private async Task AnswerPingsAsync(HttpClient http, DemoPingAnswers answers, CancellationToken ct)
    {
        try
        {
            await foreach (var request in pings.Reader.ReadAllAsync(ct))
            {
                var at = time.GetUtcNow() > request.At ? time.GetUtcNow() : request.At;
                var replies = answers.Answer([.. request.MeterIds], at);
                if (replies.Count == 0) continue;
                try
                {
                    var response = await http.PostAsJsonAsync("/api/oms/events/kaifa", replies.Select(ToContract).ToList(), ct);
                    if (!response.IsSuccessStatusCode) logger.LogWarning("Demo feed: ping answers answered {Status}", (int)response.StatusCode);
                }
                catch (HttpRequestException e)
                {
                    logger.LogWarning(e, "Demo feed: posting ping answers failed");
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Posts each signal when its receive time comes, batched per source about once a second.</summary>
    private async Task PlayAsync(HttpClient http, List<Signal> signals, CancellationToken ct)
    {
        int i = 0;
        while (i < signals.Count && !ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var due = new List<Signal>();
            while (i < signals.Count && signals[i].ReceivedAt <= now) due.Add(signals[i++]);
            foreach (var group in due.GroupBy(s => s.Source))
            {
                try
                {
                    var response = await http.PostAsJsonAsync($"/api/oms/events/{SignalTypes.ToWire(group.Key)}", group.Select(ToContract).ToList(), ct);
                    if (!response.IsSuccessStatusCode)
                    {
                        logger.LogWarning("Demo feed: {Source} batch answered {Status}", group.Key, (int)response.StatusCode);
                    }
                }
                catch (HttpRequestException e)
                {
                    logger.LogWarning(e, "Demo feed: posting a {Source} batch failed", group.Key);
                }
            }
            var next = i < signals.Count ? signals[i].ReceivedAt : now;
            var wait = next - time.GetUtcNow();
            await Task.Delay(wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : wait, time, ct);
        }
        await Task.Delay(TimeSpan.FromSeconds(30), time, ct);
    }

    /// <summary>A signal in the contract's JSON shape (§2).</summary>
    public static object ToContract(Signal s) => s.Source switch
    {
        SourceSystem.Scada => new { eventId = s.SourceId, deviceId = s.AssetId, eventType = s.TypeName, occurredAt = s.OccurredAt },
        SourceSystem.Kaifa => new { eventId = s.SourceId, meterId = s.AssetId, eventType = s.TypeName, occurredAt = s.OccurredAt, receivedAt = s.ReceivedAt },
        SourceSystem.Onu => new { eventId = s.SourceId, onuId = s.AssetId, eventType = s.TypeName, occurredAt = s.OccurredAt },
        _ => (object)new { ticketId = s.SourceId, accountNumber = s.AccountNumber, lat = s.Lat, lon = s.Lon, category = s.TypeName, reportedAt = s.OccurredAt },
    };

    private async Task<Uri> WaitForAddressAsync(CancellationToken ct)
    {
        while (true)
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is not null && !address.EndsWith(":0", StringComparison.Ordinal))
            {
                return new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
        }
    }
}
