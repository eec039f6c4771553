using System.Diagnostics;
using System.Reflection;
using OmsDashboard.Data;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Domain.Correlation;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// <c>snapshot</c> (ADR 0013): engine snapshot size and write time, and a rebuild restored from a
/// snapshot against a rebuild by full replay, after N stored signals of a mass outage (every one
/// of them still evidence of an active outage: the largest state a snapshot holds for N signals).
/// With <c>--engine-only 1</c> the engine in memory alone (no database): snapshot write, restore,
/// and the replay a restore replaces.
/// </summary>
internal static class SnapshotBench
{
    public static async Task RunAsync(Options o, Report report)
    {
        int signals = o.Int("signals", 100_000);
        int runs = o.Int("runs", 3);
        if (o.Flag("engine-only"))
        {
            EngineOnly(o, report, signals, runs);
            return;
        }
        await using var stored = await StoredStorm.CreateAsync(o, report, signals, defaultCustomers: 100_000);
        int n = stored.Storm.Signals.Count;
        var write = new List<double>();
        var sizes = new List<double>();
        var full = new List<double>();
        var fromSnapshot = new List<double>();
        var loads = new List<string>();
        for (int r = 1; r <= runs; r++)
        {
            string db = await stored.Server.CloneAsync(stored.SignalsTemplate, "snap");
            try
            {
                await using var ds = OmsDatabase.CreateDataSource(stored.Server.ConnectionString(db));
                // 1. Every signal taken in, no snapshot.
                await new CorrelationPass(ds, TimeProvider.System) { Snapshots = SnapshotPolicy.Never }.RunAsync(stored.Storm.End);
                // 2. A new process: its rebuild is a full replay; its pass writes a snapshot (due after one signal).
                var second = new CorrelationPass(ds, TimeProvider.System) { Snapshots = new SnapshotPolicy(TimeSpan.MaxValue, 1, 3) };
                var marks2 = await TimedAsync(second, stored.Storm.End);
                // 3. Another new process: its rebuild restores that snapshot.
                var third = new CorrelationPass(ds, TimeProvider.System) { Snapshots = SnapshotPolicy.Never };
                var marks3 = await TimedAsync(third, stored.Storm.End);
                string load = Machine.Load();
                long size = await Sql.ScalarAsync<long>(ds, "SELECT max(size_bytes) FROM oms_engine_snapshots");
                double rebuildFull = marks2["outages"], rebuildSnap = marks3["outages"], writeSnap = marks2["commit"] - marks2["snapshot"];
                full.Add(rebuildFull);
                fromSnapshot.Add(rebuildSnap);
                write.Add(writeSnap);
                sizes.Add(size / 1e6);
                loads.Add(load);
                report.Line($"run {r}: pass start to first write (lock, state, rebuild, cut, read, advance): full replay {rebuildFull:F2} s " +
                            $"({second.LastRebuild!.SignalsReplayed:N0} signals replayed), from snapshot {rebuildSnap:F2} s " +
                            $"(snapshot {third.LastRebuild!.SnapshotId}, {third.LastRebuild.SignalsReplayed:N0} replayed, warnings {third.LastRebuild.Warnings.Count}); " +
                            $"snapshot step (serialize + insert + prune) {writeSnap:F2} s, {size / 1e6:F1} MB; " +
                            $"engines agree: {Agree(second.Engine!, third.Engine!)}; load {load}");
            }
            finally
            {
                await stored.Server.DropAsync(db);
            }
        }
        report.Figure($"snapshot: size after {n:N0} signals (mass outage, all evidence of active outages)", "MB", sizes, loads);
        report.Figure("snapshot: the pass's snapshot step (serialize, INSERT bytea, prune)", "s", write, loads);
        report.Figure($"snapshot: rebuild by full replay of {n:N0} signals (pass start to first write, incl. network load)", "s", full, loads);
        report.Figure("snapshot: rebuild from the snapshot (pass start to first write, incl. network load)", "s", fromSnapshot, loads);
    }

    private static string Agree(CorrelationEngine a, CorrelationEngine b) =>
        a.Outages.Count == b.Outages.Count && a.NextOutageNumber == b.NextOutageNumber
        && a.ActiveOutages.Sum(x => x.Evidence.Count) == b.ActiveOutages.Sum(x => x.Evidence.Count) ? "yes" : "NO";

    private static void EngineOnly(Options o, Report report, int signals, int runs)
    {
        int customers = o.Int("customers", 100_000);
        using var utility = Utility.Generate(customers);
        var network = utility.Parse();
        var storm = Storm.MassOutage(network, o.Int("seed", 1), TimeSpan.FromMinutes(o.Int("spread-min", 30)), 1.0);
        storm.Truncate(signals);
        report.Line($"utility: {customers:N0} customers, {network.Count:N0} nodes; storm {storm.Describe()}");
        var replay = new List<double>();
        var write = new List<double>();
        var restore = new List<double>();
        var sizes = new List<double>();
        var loads = new List<string>();
        for (int r = 1; r <= runs; r++)
        {
            var clock = Stopwatch.StartNew();
            var engine = new CorrelationEngine(network);
            foreach (var s in storm.Signals) engine.Ingest(s);
            engine.Advance(storm.End);
            double replayed = clock.Elapsed.TotalSeconds;
            var buffer = new MemoryStream();
            // CPU time of this process next to the wall clock: the machine is shared.
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            engine.WriteSnapshot(buffer);
            double written = clock.Elapsed.TotalSeconds;
            double writeCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            buffer.Position = 0;
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            var restored = CorrelationEngine.RestoreSnapshot(buffer, network);
            double read = clock.Elapsed.TotalSeconds;
            double readCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            string load = Machine.Load();
            replay.Add(replayed);
            write.Add(written);
            restore.Add(read);
            sizes.Add(buffer.Length / 1e6);
            loads.Add(load);
            report.Line($"run {r}: replay (ingest + advance) {replayed:F2} s; WriteSnapshot {written:F2} s (CPU {writeCpu:F2} s), {buffer.Length / 1e6:F1} MB; RestoreSnapshot {read:F2} s (CPU {readCpu:F2} s); " +
                        $"{restored.Outages.Count:N0} outages, agree {Agree(engine, restored)}; load {load}");
        }
        report.Figure($"snapshot (engine only): replay of {storm.Signals.Count:N0} signals", "s", replay, loads);
        report.Figure("snapshot (engine only): WriteSnapshot to memory", "s", write, loads);
        report.Figure("snapshot (engine only): RestoreSnapshot from memory (incl. engine constructor)", "s", restore, loads);
        report.Figure("snapshot (engine only): size", "MB", sizes, loads);
    }

    /// <summary>A pass timed at its write steps (the internal test hook, reached by reflection as PassBench does): seconds from start to each step's mark.</summary>
    private static async Task<Dictionary<string, double>> TimedAsync(CorrelationPass pass, DateTimeOffset asOf)
    {
        var marks = new Dictionary<string, double>();
        var clock = new Stopwatch();
        typeof(CorrelationPass).GetProperty("BeforeWriteStep", BindingFlags.Instance | BindingFlags.NonPublic)!
            .SetValue(pass, (Func<string, Task>)(name =>
            {
                marks[name] = clock.Elapsed.TotalSeconds;
                return Task.CompletedTask;
            }));
        clock.Start();
        await pass.RunAsync(asOf);
        marks["end"] = clock.Elapsed.TotalSeconds;
        return marks;
    }
}
