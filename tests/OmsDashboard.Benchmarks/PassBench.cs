using System.Diagnostics;
using System.Reflection;
using Npgsql;
using OmsDashboard.Data;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Import;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// What <c>burst</c> and <c>baseline</c> share: a utility imported into a template database, a
/// mass-outage storm cut to its first N signals in arrival order and stored with binary COPY into
/// a second template, and timed correlation passes on copies of them.
/// </summary>
internal sealed class StoredStorm : IAsyncDisposable
{
    private StoredStorm(BenchServer server, NetworkTopology network, Storm storm, string networkTemplate, string signalsTemplate)
    {
        Server = server;
        Network = network;
        Storm = storm;
        NetworkTemplate = networkTemplate;
        SignalsTemplate = signalsTemplate;
    }

    public BenchServer Server { get; }
    public NetworkTopology Network { get; }
    public Storm Storm { get; }
    /// <summary>Migrated, the utility imported, no signals.</summary>
    public string NetworkTemplate { get; }
    /// <summary>As <see cref="NetworkTemplate"/> plus the storm's signals, all pending.</summary>
    public string SignalsTemplate { get; }

    public static async Task<StoredStorm> CreateAsync(Options o, Report report, int signals, int defaultCustomers)
    {
        int customers = o.Int("customers", defaultCustomers);
        int seed = o.Int("seed", 1);
        var spread = TimeSpan.FromMinutes(o.Int("spread-min", 30));
        var server = new BenchServer(o.Connection());
        report.Line("server: " + await server.DescribeAsync());

        using var utility = Utility.Generate(customers);
        var network = utility.Parse();
        var storm = Storm.MassOutage(network, seed, spread, 1.0);
        int total = storm.Signals.Count;
        storm.Truncate(signals);
        report.Line($"utility: {customers:N0} customers, {network.Count:N0} nodes, {network.OfKind(NodeKind.Feeder).Count()} feeders");
        report.Line($"storm: {storm.Name}, {storm.Faults} faults, {total:N0} signals in all, the first {storm.Signals.Count:N0} in arrival order kept " +
                    $"(received {storm.Signals[0].ReceivedAt:HH:mm:ss}–{storm.Signals[^1].ReceivedAt:HH:mm:ss})");
        report.Line("mix: " + storm.Mix());

        string networkTemplate = await server.CreateMigratedAsync("net");
        await using (var ds = OmsDatabase.CreateDataSource(server.ConnectionString(networkTemplate)))
        {
            var clock = Stopwatch.StartNew();
            var result = await new TopologyImporter(ds).ImportFilesAsync(utility.NodesPath, utility.AssetsPath);
            if (!result.Succeeded) throw new InvalidOperationException("import failed: " + string.Join("; ", result.Errors.Take(5)));
            report.Line($"setup (not timed as a figure): utility imported in {clock.Elapsed.TotalSeconds:F1} s ({result.Inserted:N0} rows; load {Machine.Load()})");
            await using var cmd = ds.CreateCommand("VACUUM ANALYZE");
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync();
        }
        string signalsTemplate = await server.CloneAsync(networkTemplate, "sig");
        await using (var ds = OmsDatabase.CreateDataSource(server.ConnectionString(signalsTemplate)))
        {
            var copy = await SignalStore.CopyAsync(ds, storm.Signals);
            report.Line($"setup: {storm.Signals.Count:N0} signals stored with binary COPY in {copy.TotalSeconds:F2} s ({storm.Signals.Count / copy.TotalSeconds:N0} rows/s incl. ANALYZE; load {Machine.Load()})");
        }
        return new StoredStorm(server, network, storm, networkTemplate, signalsTemplate) { KeepTemplates = o.Flag("keep-templates") };
    }

    /// <summary>Set (--keep-templates 1) to leave the two templates for a look with psql; drop them by hand afterwards.</summary>
    public bool KeepTemplates { get; init; }

    public async ValueTask DisposeAsync()
    {
        if (KeepTemplates)
        {
            Console.WriteLine($"kept: {NetworkTemplate}, {SignalsTemplate} (drop them by hand)");
            Server.Forget(NetworkTemplate);
            Server.Forget(SignalsTemplate);
        }
        await Server.DisposeAsync();
    }

    /// <summary>
    /// Cold: a new CorrelationPass on a copy with the signals stored; its one RunAsync loads the
    /// network from the database (rebuild), reads the pending signals, runs the engine and writes.
    /// Afterwards, on the same copy and untimed as the pass: the network load, the signal read and
    /// the engine alone, each timed on its own, to split the pass.
    /// </summary>
    public async Task<ColdPass> RunColdAsync()
    {
        string db = await Server.CloneAsync(SignalsTemplate, "cold");
        try
        {
            await using var ds = OmsDatabase.CreateDataSource(Server.ConnectionString(db));
            var pass = new CorrelationPass(ds, TimeProvider.System);
            var timed = await TimedWithCpuAsync(pass, Storm.End, db);
            string load = Machine.Load();
            string check = await CheckAsync(ds);

            var clock = Stopwatch.StartNew();
            var network = await NetworkLoader.LoadAsync(ds);
            var networkLoad = clock.Elapsed;
            clock.Restart();
            var read = await ReadAllSignalsAsync(ds);
            var readTime = read is null ? (TimeSpan?)null : clock.Elapsed;
            var signals = read ?? Storm.Signals;
            clock.Restart();
            var engine = new CorrelationEngine(network);
            var ctor = clock.Elapsed;
            clock.Restart();
            foreach (var s in signals) engine.Ingest(s);
            engine.Advance(Storm.End);
            var engineTime = clock.Elapsed;
            return new ColdPass(timed, load, check, networkLoad, readTime, ctor, engineTime);
        }
        finally
        {
            await Server.DropAsync(db);
        }
    }

    /// <summary>
    /// Warm: a copy with the network only; a first pass (nothing stored yet, asOf before the storm)
    /// loads the network into the engine; then the signals are stored (COPY, not in the pass) and
    /// the second RunAsync — the timed one — reads, correlates and writes them.
    /// </summary>
    public async Task<WarmPass> RunWarmAsync()
    {
        string db = await Server.CloneAsync(NetworkTemplate, "warm");
        try
        {
            await using var ds = OmsDatabase.CreateDataSource(Server.ConnectionString(db));
            var pass = new CorrelationPass(ds, TimeProvider.System);
            var loadOnly = await TimedAsync(pass, Storm.Start - TimeSpan.FromMinutes(1));
            var copy = await SignalStore.CopyAsync(ds, Storm.Signals);
            var timed = await TimedWithCpuAsync(pass, Storm.End, db);
            string load = Machine.Load();
            string check = await CheckAsync(ds);
            return new WarmPass(loadOnly, copy, timed, load, check);
        }
        finally
        {
            await Server.DropAsync(db);
        }
    }

    /// <summary>The design's literal SQL correlation over the stored signals: one statement, one transaction.</summary>
    public async Task<(TimeSpan Elapsed, int Processed, string Load, string Check, TimeSpan? Cpu)> RunSqlBaselineAsync()
    {
        string db = await Server.CloneAsync(SignalsTemplate, "sql");
        try
        {
            await using var ds = OmsDatabase.CreateDataSource(Server.ConnectionString(db));
            await Sql.ScalarAsync<int>(ds, "SELECT 1"); // the backend exists before the first CPU reading
            var backends = await BackendCpu.OfDatabaseAsync(Server, db);
            var clock = Stopwatch.StartNew();
            int processed = await Sql.ScalarAsync<int>(ds, "SELECT oms_correlate_events()");
            clock.Stop();
            var backendsAfter = await BackendCpu.OfDatabaseAsync(Server, db);
            string load = Machine.Load();
            TimeSpan? cpu = backends is null || backendsAfter is null ? null : BackendCpu.Used(backends, backendsAfter);
            return (clock.Elapsed, processed, load, await CheckAsync(ds), cpu);
        }
        finally
        {
            await Server.DropAsync(db);
        }
    }

    /// <summary>
    /// CPU time of the pass: this process (the engine runs in it) plus the server backends
    /// connected to <paramref name="db"/> (null when the server's processes cannot be read, i.e. not local).
    /// </summary>
    private async Task<TimedPass> TimedWithCpuAsync(CorrelationPass pass, DateTimeOffset asOf, string db)
    {
        var backends = await BackendCpu.OfDatabaseAsync(Server, db);
        var own = Process.GetCurrentProcess().TotalProcessorTime;
        // CPU at each step mark too: the backends already connected (the pool's, from the first
        // pass), read from /proc without a query, and this process.
        var cpuMarks = new List<(TimeSpan Server, TimeSpan Process)>();
        var timed = await TimedAsync(pass, asOf, backends is null ? null : () =>
            cpuMarks.Add((BackendCpu.Used(backends, BackendCpu.OfPids(backends.Keys)), Process.GetCurrentProcess().TotalProcessorTime - own)));
        var ownUsed = Process.GetCurrentProcess().TotalProcessorTime - own;
        var backendsAfter = await BackendCpu.OfDatabaseAsync(Server, db);
        if (backends is null || backendsAfter is null) return timed;
        var server = BackendCpu.Used(backends, backendsAfter);
        return timed with { Cpu = ownUsed + server, ServerCpu = server, CpuMarks = cpuMarks };
    }

    private static async Task<TimedPass> TimedAsync(CorrelationPass pass, DateTimeOffset asOf, Action? cpuMark = null)
    {
        var marks = new List<(string Step, TimeSpan At)>();
        var clock = new Stopwatch();
        bool hooked = Hook(pass, name =>
        {
            marks.Add((name, clock.Elapsed));
            cpuMark?.Invoke();
            return Task.CompletedTask;
        });
        clock.Start();
        var result = await pass.RunAsync(asOf);
        clock.Stop();
        return new TimedPass(clock.Elapsed, result, hooked ? marks : []);
    }

    /// <summary>
    /// CorrelationPass calls its internal <c>BeforeWriteStep</c> hook (meant for tests) before each
    /// write step; set by reflection here to time the steps without touching the product code.
    /// </summary>
    private static bool Hook(CorrelationPass pass, Func<string, Task> hook)
    {
        var property = typeof(CorrelationPass).GetProperty("BeforeWriteStep", BindingFlags.Instance | BindingFlags.NonPublic);
        if (property is null || !property.CanWrite) return false;
        property.SetValue(pass, hook);
        return true;
    }

    /// <summary>Every stored signal through the pass's own reader (internal; reached by reflection), as a rebuild reads them.</summary>
    private static async Task<List<Signal>?> ReadAllSignalsAsync(NpgsqlDataSource ds)
    {
        var type = typeof(CorrelationPass).Assembly.GetType("OmsDashboard.Data.Correlation.SignalReader");
        var method = type?.GetMethod("ReadAsync", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        if (method is null) return null;
        await using var connection = await ds.OpenConnectionAsync();
        // ReadAsync(connection, Watermarks from, Watermarks to, int limitPerTable, ct): every row.
        var marks = method.GetParameters()[1].ParameterType;
        object from = Activator.CreateInstance(marks, 0L, 0L, 0L, 0L)!;
        object to = Activator.CreateInstance(marks, long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue)!;
        var task = (Task)method.Invoke(null, [connection, from, to, int.MaxValue, CancellationToken.None])!;
        await task;
        object result = task.GetType().GetProperty("Result")!.GetValue(task)!;
        return (List<Signal>)result.GetType().GetField("Item1")!.GetValue(result)!;
    }

    /// <summary>What the database holds afterwards: outages by status, evidence rows, signal states.</summary>
    private static async Task<string> CheckAsync(NpgsqlDataSource ds)
    {
        string outages = await Sql.PairsAsync(ds, "SELECT status, count(*) FROM oms_outage_events GROUP BY 1 ORDER BY 1");
        long sources = await Sql.ScalarAsync<long>(ds, "SELECT count(*) FROM oms_event_sources");
        string states = await Sql.PairsAsync(ds, """
            SELECT correlation_state, count(*) FROM (
              SELECT correlation_state FROM scada_events UNION ALL SELECT correlation_state FROM kaifa_events
              UNION ALL SELECT correlation_state FROM onu_events UNION ALL SELECT correlation_state FROM callcenter_tickets) s
            GROUP BY 1 ORDER BY 1
            """);
        // The pass takes signals in by its watermarks and records outcomes of non-evidence
        // signals apart (ADR 0010); the state columns are the SQL baseline's.
        long takenIn = await Sql.ScalarAsync<long>(ds, """
            SELECT (SELECT count(*) FROM scada_events WHERE seq <= (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'scada'))
                 + (SELECT count(*) FROM kaifa_events WHERE seq <= (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'kaifa'))
                 + (SELECT count(*) FROM onu_events WHERE seq <= (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'onu'))
                 + (SELECT count(*) FROM callcenter_tickets WHERE seq <= (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'callcenter'))
            """);
        long outcomes = await Sql.ScalarAsync<long>(ds, "SELECT count(*) FROM oms_signal_outcomes");
        return $"outages: {(outages.Length == 0 ? "none" : outages)}; evidence rows {sources:N0}; signal columns: {states}; " +
               $"taken in by the pass {takenIn:N0}, outcome rows {outcomes:N0}";
    }
}

internal sealed record TimedPass(TimeSpan Elapsed, CorrelationPassResult Result, List<(string Step, TimeSpan At)> Marks, TimeSpan? Cpu = null, TimeSpan? ServerCpu = null,
    List<(TimeSpan Server, TimeSpan Process)>? CpuMarks = null)
{
    /// <summary>
    /// CPU of one step (named as in <see cref="Split"/>: the segment that ends at mark
    /// <paramref name="endsAt"/>), PostgreSQL and this process, from the marks taken with the
    /// step marks (10 ms ticks); null without them.
    /// </summary>
    public (TimeSpan Server, TimeSpan Process)? StepCpu(string endsAt)
    {
        if (CpuMarks is null || CpuMarks.Count != Marks.Count) return null;
        int i = Marks.FindIndex(m => m.Step == endsAt);
        if (i <= 0) return null;
        return (CpuMarks[i].Server - CpuMarks[i - 1].Server, CpuMarks[i].Process - CpuMarks[i - 1].Process);
    }

    /// <summary>The pass split at its write steps (names as CorrelationPass gives them).</summary>
    public string Split()
    {
        if (Marks.Count == 0) return "(no step marks)";
        var names = new Dictionary<string, string>
        {
            ["outages"] = "lock+state+[rebuild]+cut+read+ingest+advance",
            ["timeline"] = "outage upserts",
            ["sources"] = "timeline",
            ["outcomes"] = "evidence rows",
            ["momentaries"] = "signal outcomes",
            ["state"] = "momentaries+storm",
        };
        var parts = new List<string>();
        var previous = TimeSpan.Zero;
        foreach (var (step, at) in Marks)
        {
            // Each mark ends the segment named after what ran before it.
            parts.Add($"{names.GetValueOrDefault(step, step)} {(at - previous).TotalMilliseconds:F0} ms");
            previous = at;
        }
        parts.Add($"state+commit {(Elapsed - previous).TotalMilliseconds:F0} ms");
        return string.Join(", ", parts);
    }

    public TimeSpan Until(string step) => Marks.FirstOrDefault(m => m.Step == step).At;

    public string Describe() =>
        $"{Elapsed.TotalSeconds:F2} s ({Result.ProcessedSignals:N0} signals, {Result.Created:N0} created, {Result.Updated:N0} updated, {Result.Restored:N0} restored) = {Split()}";
}

internal sealed record ColdPass(TimedPass Pass, string Load, string Check, TimeSpan NetworkLoad, TimeSpan? SignalRead, TimeSpan EngineConstructor, TimeSpan Engine);

internal sealed record WarmPass(TimedPass LoadOnly, TimeSpan Copy, TimedPass Pass, string Load, string Check);

/// <summary>
/// CPU time (Linux /proc) of the PostgreSQL backends connected to one database, by pid. Each
/// side of <c>baseline</c> runs on its own copy of the database, so this isolates its server work
/// from anything else the shared server does; on a loaded machine CPU seconds per signal compare
/// fairly where wall time does not. Null when the server is not on this machine.
/// </summary>
internal static class BackendCpu
{
    public static async Task<Dictionary<int, TimeSpan>?> OfDatabaseAsync(BenchServer server, string db)
    {
        await using var ds = NpgsqlDataSource.Create(server.AdminConnectionString);
        await using var cmd = ds.CreateCommand("SELECT pid FROM pg_stat_activity WHERE datname = $1");
        cmd.Parameters.AddWithValue(db);
        var pids = new List<int>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        }
        var cpu = new Dictionary<int, TimeSpan>();
        foreach (int pid in pids)
        {
            if (ClusterCpu.Stat(pid) is not { } f) return null;
            cpu[pid] = TimeSpan.FromSeconds((f[13] + f[14]) / 100.0); // utime + stime, in USER_HZ
        }
        return cpu;
    }

    /// <summary>The CPU of the given backends now, from /proc only (no query: cheap enough to read inside a pass); a gone backend is left out.</summary>
    public static Dictionary<int, TimeSpan> OfPids(IEnumerable<int> pids)
    {
        var cpu = new Dictionary<int, TimeSpan>();
        foreach (int pid in pids)
        {
            if (ClusterCpu.Stat(pid) is { } f) cpu[pid] = TimeSpan.FromSeconds((f[13] + f[14]) / 100.0);
        }
        return cpu;
    }

    /// <summary>What the backends used between two readings (a backend new since the first counts whole).</summary>
    public static TimeSpan Used(Dictionary<int, TimeSpan> before, Dictionary<int, TimeSpan> after) =>
        after.Aggregate(TimeSpan.Zero, (sum, kv) => sum + kv.Value - before.GetValueOrDefault(kv.Key));
}
