using System.Diagnostics;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// <c>engine</c>: the correlation engine alone, in memory, on a synthetic utility. Timed: Ingest
/// of every signal (in arrival order) and Advance to after the last signal's hold (batch), or an
/// Advance at every 5 s of receive time as the live pass would (stream). Not timed: building the
/// network, simulating the storm and materialising its signals, and the engine's constructor
/// (its index build, reported on its own).
/// </summary>
internal static class EngineBench
{
    public static void Run(Options o, Report report)
    {
        int customers = o.Int("customers", 1_000_000);
        int gasps = o.Int("gasps", customers);
        int runs = o.Int("runs", 3);
        int seed = o.Int("seed", 1);
        string which = o.Text("storm", "mass");
        string mode = o.Text("mode", "batch");
        var spread = TimeSpan.FromMinutes(o.Int("spread-min", 30));
        if (gasps > customers) throw new ArgumentException("--gasps cannot exceed --customers (one last gasp per customer at most)");
        if (mode is not ("batch" or "stream")) throw new ArgumentException("--mode is batch or stream");

        var clock = Stopwatch.StartNew();
        NetworkTopology network;
        using (var utility = Utility.Generate(customers))
        {
            network = utility.Parse();
        }
        report.Line($"network: {customers:N0} customers, {network.Count:N0} nodes, {network.OfKind(NodeKind.Feeder).Count()} feeders; built (write + parse) in {clock.Elapsed.TotalSeconds:F1} s (not timed)");

        if (which is "mass" or "both")
        {
            var storm = Storm.MassOutage(network, seed, spread, (double)gasps / customers);
            Measure(report, network, storm, mode, runs, $"MassOutage, {customers:N0} customers");
        }
        if (which is "random" or "both")
        {
            int faults = o.Int("faults", 5_000);
            var storm = Storm.Random(network, seed, faults, TimeSpan.FromMinutes(o.Int("random-spread-min", 360)));
            Measure(report, network, storm, mode, runs, $"Random storm, {customers:N0} customers");
        }
    }

    private static void Measure(Report report, NetworkTopology network, Storm storm, string mode, int runs, string label)
    {
        report.Line("storm: " + storm.Describe());
        report.Line("mix: " + storm.Mix());
        report.Line("work shape: " + storm.WorkEstimate(network));
        var end = storm.End;
        var throughput = new List<double>();
        var seconds = new List<double>();
        var loads = new List<string>();
        var peaks = new List<double>();
        var retained = new List<double>();
        var cpuThroughput = new List<double>();
        for (int r = 1; r <= runs; r++)
        {
            var run = RunOnce(network, storm.Signals, end, mode);
            throughput.Add(storm.Signals.Count / run.Work.TotalSeconds);
            cpuThroughput.Add(storm.Signals.Count / run.Cpu.TotalSeconds);
            seconds.Add(run.Work.TotalSeconds);
            peaks.Add(run.PeakRss / 1048576.0);
            retained.Add(run.EngineRetained / 1048576.0);
            loads.Add(run.Load);
            report.Line($"run {r} ({mode}): {storm.Signals.Count / run.Work.TotalSeconds:N0} signals/s — ingest {run.Ingest.TotalSeconds:F2} s + advance {run.Advance.TotalSeconds:F2} s = {run.Work.TotalSeconds:F2} s " +
                        $"(constructor/index {run.Constructor.TotalSeconds:F2} s, not in the rate); {run.Advances:N0} advance calls; " +
                        $"process CPU time {run.Cpu.TotalSeconds:F2} s = {storm.Signals.Count / run.Cpu.TotalSeconds:N0} signals per CPU second; load {run.Load}");
            report.Line($"      GC: {run.Gen0}/{run.Gen1}/{run.Gen2} collections (gen0/1/2), {Report.Mb(run.Allocated)} allocated, pauses {run.GcPause.TotalSeconds:F2} s; " +
                        $"managed heap before {Report.Mb(run.HeapBefore)}, at end {Report.Mb(run.HeapEnd)} (no GC), retained with the engine {Report.Mb(run.HeapRetained)} (engine {Report.Mb(run.EngineRetained)}); " +
                        $"peak working set {Report.Mb(run.PeakRss)}{(run.PeakReset ? " (during the run)" : " (whole process)")}");
            report.Line($"      outcome: {run.Outcome}");
        }
        report.Figure($"engine throughput, {label}, {storm.Signals.Count:N0} signals, {mode}", "signals/s", throughput, loads,
            $"Environment.ProcessorCount={Environment.ProcessorCount}");
        // On a shared machine the wall clock includes time the core spent on other processes;
        // the process's CPU time does not, so it is the figure that compares across loads.
        report.Figure($"engine throughput per CPU second, {label}, {storm.Signals.Count:N0} signals, {mode}", "signals/s", cpuThroughput, loads);
        report.Figure($"engine time, {label}, {mode}", "s", seconds, loads);
        report.Figure($"engine peak working set during the run, {label}, {mode}", "MB", peaks, loads);
        report.Figure($"engine retained managed memory after the run, {label}, {mode}", "MB", retained, loads);
    }

    private sealed record RunResult(
        TimeSpan Constructor, TimeSpan Ingest, TimeSpan Advance, TimeSpan Cpu, int Advances, string Load,
        int Gen0, int Gen1, int Gen2, long Allocated, TimeSpan GcPause,
        long HeapBefore, long HeapEnd, long HeapRetained, long PeakRss, bool PeakReset, string Outcome)
    {
        public TimeSpan Work => Ingest + Advance;
        public long EngineRetained => HeapRetained - HeapBefore;
    }

    private static RunResult RunOnce(NetworkTopology network, List<Signal> signals, DateTimeOffset end, string mode)
    {
        Machine.FullGc();
        long heapBefore = GC.GetTotalMemory(true);
        bool reset = Machine.ResetPeakRss();
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(true);
        var pause = GC.GetTotalPauseDuration();

        long t0 = Stopwatch.GetTimestamp();
        var engine = new CorrelationEngine(network);
        long t1 = Stopwatch.GetTimestamp();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long ingest = 0, advance = 0;
        int advances = 0;
        int accepted = 0, duplicate = 0, unmatched = 0;
        var last = new EngineChanges();
        int appliedSignals = 0, pings = 0, momentaries = 0;
        void Count(IngestOutcome outcome)
        {
            switch (outcome)
            {
                case IngestOutcome.Accepted: accepted++; break;
                case IngestOutcome.Duplicate: duplicate++; break;
                default: unmatched++; break;
            }
        }
        void Tally(EngineChanges c)
        {
            appliedSignals += c.Signals.Count;
            pings += c.Pings.Count;
            momentaries += c.Momentaries.Count;
        }

        if (mode == "batch")
        {
            foreach (var s in signals) Count(engine.Ingest(s));
            long t2 = Stopwatch.GetTimestamp();
            last = engine.Advance(end);
            advances = 1;
            long t3 = Stopwatch.GetTimestamp();
            ingest = t2 - t1;
            advance = t3 - t2;
            Tally(last);
        }
        else
        {
            long tick = TimeSpan.FromSeconds(5).Ticks;
            long next = (signals[0].ReceivedAt.UtcTicks / tick + 1) * tick;
            foreach (var s in signals)
            {
                while (s.ReceivedAt.UtcTicks >= next)
                {
                    long a0 = Stopwatch.GetTimestamp();
                    var c = engine.Advance(new DateTimeOffset(next, TimeSpan.Zero));
                    advance += Stopwatch.GetTimestamp() - a0;
                    advances++;
                    Tally(c);
                    next += tick;
                }
                long i0 = Stopwatch.GetTimestamp();
                Count(engine.Ingest(s));
                ingest += Stopwatch.GetTimestamp() - i0;
            }
            long e0 = Stopwatch.GetTimestamp();
            last = engine.Advance(end);
            advance += Stopwatch.GetTimestamp() - e0;
            advances++;
            Tally(last);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        string load = Machine.Load();
        var gcPause = GC.GetTotalPauseDuration() - pause;
        long alloc = GC.GetTotalAllocatedBytes(true) - allocated;
        int d0 = GC.CollectionCount(0) - g0, d1 = GC.CollectionCount(1) - g1, d2 = GC.CollectionCount(2) - g2;
        long heapEnd = GC.GetTotalMemory(false);
        long peak = Machine.PeakRssBytes();
        long heapRetained = GC.GetTotalMemory(true);

        var outages = engine.Outages;
        string byStatus = string.Join(", ", outages.GroupBy(x => x.Status).OrderBy(g => g.Key).Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Count():N0}"));
        string byKind = string.Join(", ", outages.Where(x => x.IsActive).GroupBy(x => network.Kinds[x.Device]).OrderBy(g => g.Key)
            .Select(g => $"{g.Key.ToWire()} {g.Count():N0}"));
        string outcome = $"{outages.Count:N0} outages ({byStatus}); active at: {byKind}; ingest accepted {accepted:N0}, duplicate {duplicate:N0}, unmatched {unmatched:N0}; " +
                         $"{appliedSignals:N0} applied-signal records, {pings:N0} ping requests, {momentaries:N0} momentaries; storm mode {(engine.Storm.Active ? "on" : "off")}; pending after {engine.PendingSignals}";
        GC.KeepAlive(engine);
        GC.KeepAlive(last);

        static TimeSpan Ts(long ticks) => Stopwatch.GetElapsedTime(0, ticks);
        return new RunResult(Ts(t1 - t0), Ts(ingest), Ts(advance), cpu, advances, load, d0, d1, d2, alloc, gcPause,
            heapBefore, heapEnd, heapRetained, peak, reset, outcome);
    }
}
