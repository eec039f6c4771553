using System.Diagnostics;
using System.Net;
using OmsDashboard.Data;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Testing;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// <c>ingest</c>: N signals posted through <c>POST /api/oms/events/{source}</c> to the real app
/// (its own process, Release build, on a copy of a database with the utility imported) by C
/// concurrent HTTP clients in contract batches, then the same records written by raw binary COPY
/// into the same tables of another fresh copy, in the same run.
/// </summary>
internal static class IngestBench
{
    public static async Task RunAsync(Options o, Report report)
    {
        int target = o.Int("signals", 1_000_000);
        int batchSize = o.Int("batch", 5_000);
        int clients = o.Int("clients", 8);
        int runs = o.Int("runs", 3);
        await using var bench = await AppBench.CreateAsync(o, report, defaultCustomers: 100_000);
        var serverCpu = ClusterCpu.From(o);

        var storm = Storm.MassOutage(bench.Network, o.Int("seed", 1), TimeSpan.FromMinutes(o.Int("spread-min", 30)), 1.0);
        var signals = Repeat(storm.Signals, target);
        report.Line($"storm: {storm.Describe()}");
        report.Line($"signals posted: {signals.Count:N0} = the storm's {storm.Signals.Count:N0} repeated with a round suffix on the source id (a new record each round); mix {Storm.Mix(signals)}");
        var clock = Stopwatch.StartNew();
        var batches = ContractBatches.Build(signals, batchSize, flushEvery: batchSize * 4);
        report.Line($"batches: {batches.Count:N0} of up to {batchSize:N0} records ({batches.Average(b => b.Signals.Count):N0} on average, " +
                    $"{batches.Sum(b => (long)b.Body.Length) / 1048576.0:N0} MB of JSON, serialized in {clock.Elapsed.TotalSeconds:F1} s before timing); {clients} concurrent clients");
        var warmup = ContractBatches.Build(storm.Signals.Take(4_000).Select(s => s with { SourceId = "warm-" + s.SourceId }).ToList(), 1_000);

        var api = new List<double>();
        var copy = new List<double>();
        var ratio = new List<double>();
        var p50 = new List<double>();
        var p95 = new List<double>();
        var p99 = new List<double>();
        var refusals = new List<double>();
        var loads = new List<string>();
        var copyLoads = new List<string>();
        for (int r = 1; r <= runs; r++)
        {
            var (db, app) = await bench.StartAppAsync("ingest");
            ApiRun result;
            TimeSpan? apiServerCpu = null;
            try
            {
                using var client = AppBench.Client(app.BaseAddress, clients);
                // JIT, connection pools, the API-key cache and the first (network-loading)
                // correlation pass happen here, outside the timing.
                foreach (var b in warmup) await AppBench.PostAsync(client, b);
                await Task.Delay(TimeSpan.FromSeconds(o.Int("settle-s", 20)));
                await Statements.ResetAsync(bench.Server.ConnectionString(db));
                var serverBefore = serverCpu?.Now();
                result = await PostAllAsync(client, batches, clients, app);
                apiServerCpu = serverCpu?.Now() - serverBefore;
            }
            finally
            {
                await app.DisposeAsync();
            }
            string load = Machine.Load();
            long stored = await Db.CountAsync(bench.Server.ConnectionString(db),
                "SELECT (SELECT count(*) FROM kaifa_events) + (SELECT count(*) FROM onu_events) + (SELECT count(*) FROM scada_events) + (SELECT count(*) FROM callcenter_tickets)");
            foreach (var line in await Statements.TopAsync(bench.Server.ConnectionString(db), 8))
            {
                report.Line($"run {r}: pg_stat_statements " + line);
            }
            await bench.Server.DropAsync(db);
            long expected = signals.Count + warmup.Sum(b => b.Signals.Count);
            if (result.Accepted != signals.Count || stored != expected || result.Failed > 0)
            {
                throw new InvalidOperationException($"run {r}: accepted {result.Accepted:N0} of {signals.Count:N0}, {stored:N0} rows stored (expected {expected:N0}), {result.Failed} batches failed");
            }

            string copyDb = await bench.Server.CloneAsync(bench.Template, "copy");
            TimeSpan copyTime;
            TimeSpan? copyServerCpu;
            var copyHarnessCpu = Process.GetCurrentProcess().TotalProcessorTime;
            await using (var ds = OmsDatabase.CreateDataSource(bench.Server.ConnectionString(copyDb)))
            {
                var before = serverCpu?.Now();
                copyTime = await SignalStore.CopyAsync(ds, signals, analyze: false);
                copyServerCpu = serverCpu?.Now() - before;
            }
            copyHarnessCpu = Process.GetCurrentProcess().TotalProcessorTime - copyHarnessCpu;
            string copyLoad = Machine.Load();
            await bench.Server.DropAsync(copyDb);

            double apiRate = signals.Count / result.Wall.TotalSeconds;
            double copyRate = signals.Count / copyTime.TotalSeconds;
            api.Add(apiRate);
            copy.Add(copyRate);
            ratio.Add(100 * apiRate / copyRate);
            p50.Add(result.P50);
            p95.Add(result.P95);
            p99.Add(result.P99);
            refusals.Add(result.Refusals);
            loads.Add(load);
            copyLoads.Add(copyLoad);
            report.Line($"run {r}: API {signals.Count:N0} signals in {result.Wall.TotalSeconds:F1} s = {apiRate:N0} signals/s; " +
                        $"request latency p50 {result.P50:F0} / p95 {result.P95:F0} / p99 {result.P99:F0} ms; {result.Refusals} × 429; " +
                        $"app CPU {result.AppCpu.TotalSeconds:F1} s ({100 * result.AppCpu.TotalSeconds / result.Wall.TotalSeconds:F0} % of one core), " +
                        $"harness CPU {result.HarnessCpu.TotalSeconds:F1} s; load {load}");
            double perK = 1000.0 / signals.Count;
            if (apiServerCpu is { } sc && copyServerCpu is { } cc)
            {
                double apiCpu = (result.AppCpu + sc + result.HarnessCpu).TotalSeconds;
                double copyCpu = (cc + copyHarnessCpu).TotalSeconds;
                report.Line($"run {r}: CPU per 1,000 signals: API path app {result.AppCpu.TotalSeconds * perK * 1000:F0} ms + PostgreSQL {sc.TotalSeconds * perK * 1000:F0} ms (ingest and the correlation passes that ran) + harness {result.HarnessCpu.TotalSeconds * perK * 1000:F0} ms; " +
                            $"COPY path PostgreSQL {cc.TotalSeconds * perK * 1000:F0} ms + harness {copyHarnessCpu.TotalSeconds * perK * 1000:F0} ms; " +
                            $"CPU-bound ceiling on 2 idle cores: API {2 * signals.Count / apiCpu:N0} signals/s, COPY {2 * signals.Count / copyCpu:N0} signals/s");
            }
            report.Line($"run {r}: COPY {signals.Count:N0} rows in {copyTime.TotalSeconds:F1} s = {copyRate:N0} signals/s; API/COPY {100 * apiRate / copyRate:F0} %; load {copyLoad}");
        }
        string setup = $"{signals.Count:N0} signals, batches of {batchSize:N0}, {clients} clients";
        report.Figure($"ingest through the API ({setup}; app as its own process, correlation passes running as in production)", "signals/s", api, loads);
        report.Figure("ingest: raw binary COPY of the same records into the same tables (fresh copy of the database, one COPY per source table)", "signals/s", copy, copyLoads);
        report.Figure("ingest: API as a share of COPY", "%", ratio, loads);
        report.Figure("ingest: request latency p50 (successful tries)", "ms", p50, loads);
        report.Figure("ingest: request latency p95", "ms", p95, loads);
        report.Figure("ingest: request latency p99", "ms", p99, loads);
        report.Figure("ingest: 429 answers (each waited Retry-After and posted again)", "", refusals, loads);
    }

    /// <summary>The signals repeated until there are <paramref name="target"/>, each round's source ids suffixed so every record is new.</summary>
    private static List<Signal> Repeat(List<Signal> signals, int target)
    {
        var all = new List<Signal>(target);
        for (int round = 0; all.Count < target; round++)
        {
            foreach (var s in signals)
            {
                if (all.Count == target) break;
                all.Add(round == 0 ? s : s with { SourceId = $"{s.SourceId}.r{round}" });
            }
        }
        return all;
    }

    private sealed record ApiRun(TimeSpan Wall, long Accepted, int Failed, int Refusals, double P50, double P95, double P99, TimeSpan AppCpu, TimeSpan HarnessCpu);

    private static async Task<ApiRun> PostAllAsync(HttpClient client, List<ContractBatch> batches, int clients, AppProcess app)
    {
        int next = -1;
        long accepted = 0;
        int failed = 0, refused = 0;
        var latencies = new double[batches.Count];
        var appCpu = app.CpuTime;
        var harnessCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
            {
                var (status, latency, refusals, _, body) = await AppBench.PostAsync(client, batches[i]);
                Interlocked.Add(ref refused, refusals);
                latencies[i] = latency.TotalMilliseconds;
                if (status != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failed);
                    Console.Error.WriteLine($"batch {i}: {(int)status} {body}");
                    continue;
                }
                Interlocked.Add(ref accepted, AcceptedOf(body));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var wall = clock.Elapsed;
        var sorted = latencies.Order().ToArray();
        return new ApiRun(wall, accepted, failed, refused, Percentiles.Of(sorted, 50), Percentiles.Of(sorted, 95), Percentiles.Of(sorted, 99),
            app.CpuTime - appCpu, Process.GetCurrentProcess().TotalProcessorTime - harnessCpu);
    }

    private static int AcceptedOf(string body)
    {
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("accepted").GetInt32();
    }
}
