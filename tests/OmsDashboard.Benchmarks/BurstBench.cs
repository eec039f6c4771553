namespace OmsDashboard.Benchmarks;

/// <summary>
/// <c>burst</c>: N stored signals of a mass outage correlated and persisted by one
/// CorrelationPass.RunAsync (asOf after the hold of the last signal), cold and warm.
/// </summary>
internal static class BurstBench
{
    public static async Task RunAsync(Options o, Report report)
    {
        int signals = o.Int("signals", 100_000);
        int runs = o.Int("runs", 3);
        await using var stored = await StoredStorm.CreateAsync(o, report, signals, defaultCustomers: 100_000);
        int n = stored.Storm.Signals.Count;

        var cold = new List<double>();
        var coldLoads = new List<string>();
        var warm = new List<double>();
        var warmLoads = new List<string>();
        var loadOnly = new List<double>();
        var networkLoad = new List<double>();
        var signalRead = new List<double>();
        var engine = new List<double>();
        var writes = new List<double>();
        for (int r = 1; r <= runs; r++)
        {
            var c = await stored.RunColdAsync();
            cold.Add(c.Pass.Elapsed.TotalSeconds);
            coldLoads.Add(c.Load);
            networkLoad.Add(c.NetworkLoad.TotalSeconds);
            if (c.SignalRead is { } read) signalRead.Add(read.TotalSeconds);
            engine.Add(c.Engine.TotalSeconds);
            report.Line($"run {r} cold pass: {c.Pass.Describe()}; load {c.Load}");
            if (c.Pass.Cpu is { } cpu && c.Pass.ServerCpu is { } server)
            {
                var ev = c.Pass.StepCpu("outcomes");
                report.Line($"      CPU {cpu.TotalSeconds:F2} s (PostgreSQL {server.TotalSeconds:F2} s, this process {(cpu - server).TotalSeconds:F2} s)" +
                            (ev is { } e ? $"; evidence rows step: PostgreSQL {e.Server.TotalSeconds:F2} s, this process {e.Process.TotalSeconds:F2} s" : ""));
            }
            report.Line($"      components on the same database afterwards: network load {c.NetworkLoad.TotalSeconds:F2} s, signal read {c.SignalRead?.TotalSeconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) ?? "?"} s, " +
                        $"engine constructor {c.EngineConstructor.TotalSeconds:F2} s, engine ingest+advance {c.Engine.TotalSeconds:F2} s");
            report.Line("      " + c.Check);

            var w = await stored.RunWarmAsync();
            warm.Add(w.Pass.Elapsed.TotalSeconds);
            warmLoads.Add(w.Load);
            loadOnly.Add(w.LoadOnly.Elapsed.TotalSeconds);
            writes.Add((w.Pass.Elapsed - w.Pass.Until("outages")).TotalSeconds);
            report.Line($"run {r} warm: load-only first pass {w.LoadOnly.Elapsed.TotalSeconds:F2} s; COPY of the signals {w.Copy.TotalSeconds:F2} s (not in the pass); " +
                        $"pass {w.Pass.Describe()}; load {w.Load}");
            report.Line("      " + w.Check);
        }
        report.Figure($"burst: {n:N0} stored signals correlated and persisted by one cold CorrelationPass.RunAsync (includes loading the network)", "s", cold, coldLoads,
            $"{n / Stats.Median(cold):N0} signals/s");
        report.Figure($"burst: the same, warm pass (engine already loaded by an earlier pass)", "s", warm, warmLoads,
            $"{n / Stats.Median(warm):N0} signals/s");
        report.Figure("burst split: load-only first pass (rebuild from an empty signal store: network load + index)", "s", loadOnly, warmLoads);
        report.Figure("burst split: warm pass from the first write step to commit (all writes)", "s", writes, warmLoads);
        report.Figure("burst split: NetworkLoader.LoadAsync alone", "s", networkLoad, coldLoads);
        if (signalRead.Count > 0) report.Figure($"burst split: reading all {n:N0} stored signals alone (the pass's SignalReader)", "s", signalRead, coldLoads);
        report.Figure($"burst split: engine alone on the loaded network (ingest + advance of the {n:N0} signals)", "s", engine, coldLoads);
    }
}
