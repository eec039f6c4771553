using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Testing;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// <c>push</c>: how long after a signal is accepted an operator's screen shows its outage.
/// <para>
/// A paced sender posts the loss signals (last gasps, dying gasps, calls, lockouts; no
/// restorations) of many simulated faults at a steady rate, in arrival order, one batch per source
/// every 100 ms. Each signal is dated (<c>occurredAt</c>) 100 s before it is sent, so the engine's
/// 90-s event-time hold has already passed when it arrives and the first pass after it is stored
/// applies it: the figure is the pipeline's latency (store, trigger, pass, commit, 250-ms push
/// coalescing, SignalR), not the hold, which is a deliberate wait of event time.
/// </para>
/// <para>
/// A SignalR .NET client on <c>/hubs/outages</c> notes when each outage's first
/// <c>OutageChanged</c> arrives and how much evidence it showed then (k = the sum of its
/// <c>sourceCounts</c>). Afterwards the outage's evidence is read (<c>GET /api/oms/outages/{id}</c>)
/// and each evidence signal is looked up in the sender's log of when the batch that carried it was
/// answered 200. The signal that made the outage visible is the k-th of its evidence in order of
/// acceptance: the outage could not be shown with k pieces of evidence before that one was stored.
/// Latency = receipt of the first push − the 200 of that signal's batch, both on this process's
/// monotonic clock.
/// </para>
/// </summary>
internal static class PushBench
{
    private static readonly TimeSpan SendEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DatedBefore = TimeSpan.FromSeconds(100);
    private const int WarmUp = 200;

    public static async Task RunAsync(Options o, Report report)
    {
        int rate = o.Int("rate", 1_000);
        int seconds = o.Int("seconds", 60);
        int runs = o.Int("runs", 3);
        int seed = o.Int("seed", 1);
        await using var bench = await AppBench.CreateAsync(o, report, defaultCustomers: 100_000);
        if (DatedBefore <= new EngineOptions().HoldTime)
        {
            throw new InvalidOperationException("signals must be dated past the engine's hold");
        }

        // 200 more for the warm-up: the last ones, so the warm-up's outages are not the timed ones.
        var all = LossSignals(bench, seed, rate * seconds + WarmUp, report);
        var signals = all.GetRange(0, all.Count - WarmUp);
        var warmUp = all.GetRange(all.Count - WarmUp, WarmUp);
        var p50 = new List<double>();
        var p95 = new List<double>();
        var p99 = new List<double>();
        var first50 = new List<double>();
        var first95 = new List<double>();
        var loads = new List<string>();
        for (int r = 1; r <= runs; r++)
        {
            var (db, app) = await bench.StartAppAsync("push");
            try
            {
                var run = await RunOnceAsync(app, bench.Server.ConnectionString(db), signals, warmUp, rate);
                string load = Machine.Load();
                loads.Add(load);
                var k = run.KthEvidence.Order().ToArray();
                var f = run.FirstEvidence.Order().ToArray();
                p50.Add(Percentiles.Of(k, 50));
                p95.Add(Percentiles.Of(k, 95));
                p99.Add(Percentiles.Of(k, 99));
                first50.Add(Percentiles.Of(f, 50));
                first95.Add(Percentiles.Of(f, 95));
                report.Line($"run {r}: sent {run.Sent:N0} signals in {run.SendTime.TotalSeconds:F1} s ({run.Sent / run.SendTime.TotalSeconds:N0}/s) in {run.Batches:N0} batches, " +
                            $"request p50 {run.RequestP50:F0} / p95 {run.RequestP95:F0} ms, {run.Refusals} × 429; " +
                            $"{run.Outages:N0} outages pushed, {k.Length:N0} timed ({run.Skipped} without a matching evidence signal); " +
                            $"accepted→push p50 {Percentiles.Of(k, 50):F0} / p95 {Percentiles.Of(k, 95):F0} / p99 {Percentiles.Of(k, 99):F0} / max {(k.Length > 0 ? k[^1] : double.NaN):F0} ms; " +
                            $"from the first evidence p50 {Percentiles.Of(f, 50):F0} / p95 {Percentiles.Of(f, 95):F0} ms; passes {run.Passes}; load {load}");
            }
            finally
            {
                await app.DisposeAsync();
                await bench.Server.DropAsync(db);
            }
        }
        string setup = $"{rate:N0} signals/s for {seconds} s";
        report.Figure($"push: signal accepted (200 of its batch) -> first OutageChanged received, p50 ({setup})", "ms", p50, loads);
        report.Figure("push: the same, p95", "ms", p95, loads);
        report.Figure("push: the same, p99", "ms", p99, loads);
        report.Figure("push: from the 200 of the outage's first evidence signal instead, p50", "ms", first50, loads);
        report.Figure("push: from the first evidence signal, p95", "ms", first95, loads);
    }

    /// <summary>
    /// At least <paramref name="count"/> loss signals of sustained, never-restored faults below
    /// feeder level (fuses and switches), in arrival order.
    /// </summary>
    internal static List<Signal> LossSignals(AppBench bench, int seed, int count, Report report)
    {
        var mix = ScenarioMix.Default with
        {
            Sustained = 1, Momentary = 0, FiberCut = 0, PartialRestoration = 0,
            // Fuses and switches only: tens of customers each, so 60,000 signals are about a
            // thousand faults; transformer and service faults would need tens of thousands,
            // most of the network out at once.
            AtFeeder = 0, AtRecloser = 0, AtTransformer = 0, AtService = 0, Simultaneous = 0, Unrestored = 1,
        };
        for (int faults = Math.Max(100, count / 40); ; faults *= 2)
        {
            var specs = StormScenarios.Random(bench.Network, seed, faults, Storm.Start, TimeSpan.FromHours(6), mix);
            var simulated = new StormSimulator(bench.Network, SimulatorOptions.Default, seed).Simulate(specs);
            var loss = simulated.Signals.Where(s => s.Type is not (SignalType.PowerRestore or SignalType.OnuOnline
                or SignalType.CallPowerRestored or SignalType.ScadaClose)).ToList();
            if (loss.Count >= count || faults > 200_000)
            {
                var kept = loss.Take(count).ToList();
                report.Line($"faults: {specs.Count:N0} sustained fuse and switch faults, none restored, spread over 6 h of the simulation; the first {kept.Count:N0} loss signals in arrival order: {Storm.Mix(kept)}");
                return kept;
            }
        }
    }

    private sealed record PushRun(int Sent, int Batches, TimeSpan SendTime, double RequestP50, double RequestP95, int Refusals,
        int Outages, int Skipped, List<double> KthEvidence, List<double> FirstEvidence, long Passes);

    private sealed record FirstPush(long At, int Evidence);

    private static async Task<PushRun> RunOnceAsync(AppProcess app, string connectionString, List<Signal> signals, List<Signal> warmUp, int rate)
    {
        using var client = AppBench.Client(app.BaseAddress, 64);
        var first = new ConcurrentDictionary<Guid, FirstPush>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, "hubs/outages"), h => h.Headers["X-Api-Key"] = AppBench.ApiKey)
            .Build();
        hub.On<JsonElement>("OutageChanged", m =>
        {
            long at = Stopwatch.GetTimestamp();
            int evidence = m.GetProperty("sourceCounts").EnumerateObject().Sum(p => p.Value.GetInt32());
            first.TryAdd(m.GetProperty("id").GetGuid(), new FirstPush(at, evidence));
        });
        await hub.StartAsync();

        // Warm-up outside the timing: the first pass loads the network; JIT and pools warm up.
        var warm = warmUp.Select(s => s with { SourceId = "warm-" + s.SourceId, OccurredAt = DateTimeOffset.UtcNow - DatedBefore, ReceivedAt = DateTimeOffset.UtcNow }).ToList();
        foreach (var b in ContractBatches.Build(warm, 1_000)) await AppBench.PostAsync(client, b);
        await Task.Delay(TimeSpan.FromSeconds(15));
        first.Clear();
        long passesBefore = await PassesAsync(connectionString);

        var accepted = new ConcurrentDictionary<(string Source, string Id), long>();
        var requestMs = new ConcurrentBag<double>();
        int refusals = 0, batches = 0, sent = 0;
        var inFlight = new List<Task>();
        int perSlot = Math.Max(1, (int)Math.Round(rate * SendEvery.TotalSeconds));
        var clock = Stopwatch.StartNew();
        for (int slot = 0; sent < signals.Count; slot++)
        {
            // Steady pacing: slot n goes at n × 100 ms whatever the earlier posts are doing.
            var due = TimeSpan.FromTicks(SendEvery.Ticks * slot);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var now = DateTimeOffset.UtcNow;
            var chunk = signals.Skip(sent).Take(perSlot).Select(s => s with { OccurredAt = now - DatedBefore, ReceivedAt = now }).ToList();
            sent += chunk.Count;
            foreach (var batch in ContractBatches.Build(chunk, 10_000))
            {
                batches++;
                inFlight.Add(Task.Run(async () =>
                {
                    var (status, latency, refused, _, body) = await AppBench.PostAsync(client, batch);
                    long at = Stopwatch.GetTimestamp();
                    Interlocked.Add(ref refusals, refused);
                    if (status != HttpStatusCode.OK) throw new InvalidOperationException($"batch answered {(int)status}: {body}");
                    requestMs.Add(latency.TotalMilliseconds);
                    foreach (var s in batch.Signals) accepted[(batch.Source, s.SourceId)] = at;
                }));
            }
        }
        await Task.WhenAll(inFlight);
        var sendTime = clock.Elapsed;
        // Let the last passes and pushes through before reading evidence.
        await Task.Delay(TimeSpan.FromSeconds(15));
        long passes = await PassesAsync(connectionString) - passesBefore;

        var kth = new List<double>();
        var firstEvidence = new List<double>();
        int skipped = 0;
        foreach (var (id, push) in first)
        {
            var detail = await client.GetFromJsonAsync<JsonElement>($"/api/oms/outages/{id}");
            var times = detail.GetProperty("sources").EnumerateArray()
                .Select(s => accepted.TryGetValue((s.GetProperty("source").GetString()!, s.GetProperty("sourceId").GetString()!), out long t) ? t : (long?)null)
                .Where(t => t is not null).Select(t => t!.Value).Order().ToList();
            if (times.Count == 0 || push.Evidence == 0)
            {
                skipped++;
                continue;
            }
            long qualifying = times[Math.Min(push.Evidence, times.Count) - 1];
            kth.Add(Stopwatch.GetElapsedTime(qualifying, push.At).TotalMilliseconds);
            firstEvidence.Add(Stopwatch.GetElapsedTime(times[0], push.At).TotalMilliseconds);
        }
        var sortedRequests = requestMs.Order().ToArray();
        return new PushRun(sent, batches, sendTime, Percentiles.Of(sortedRequests, 50), Percentiles.Of(sortedRequests, 95), refusals,
            first.Count, skipped, kth, firstEvidence, passes);
    }

    /// <summary>Correlation passes committed so far (the pass counter in the database).</summary>
    private static Task<long> PassesAsync(string connectionString) =>
        Db.CountAsync(connectionString, "SELECT passes FROM oms_correlation_state WHERE id = 1");
}
