namespace OmsDashboard.Benchmarks;

/// <summary>
/// <c>baseline</c>: the same stored storm correlated by the design's literal SQL
/// (<c>SELECT oms_correlate_events()</c>: one ST_DWithin query per signal) and by the
/// correlation pass (cold and warm), each on its own copy of the database.
/// </summary>
internal static class BaselineBench
{
    public static async Task RunAsync(Options o, Report report)
    {
        int signals = o.Int("signals", 20_000);
        int runs = o.Int("runs", 3);
        await using var stored = await StoredStorm.CreateAsync(o, report, signals, defaultCustomers: 100_000);
        int n = stored.Storm.Signals.Count;

        var sqlRate = new List<double>();
        var sqlLoads = new List<string>();
        var coldRate = new List<double>();
        var coldLoads = new List<string>();
        var warmRate = new List<double>();
        var warmLoads = new List<string>();
        var engineRate = new List<double>();
        var sqlCpuRate = new List<double>();
        var coldCpuRate = new List<double>();
        var warmCpuRate = new List<double>();
        for (int r = 1; r <= runs; r++)
        {
            if (o.Flag("skip-sql"))
            {
                // For working on the pass side alone: the SQL side of the same storm takes minutes.
                var cw = await stored.RunWarmAsync();
                report.Line($"run {r} engine warm pass (SQL skipped): {cw.Pass.Describe()} = {n / cw.Pass.Elapsed.TotalSeconds:N0} signals/s; CPU {Cpu(cw.Pass, n)}; load {cw.Load}");
                if (cw.Pass.StepCpu("outcomes") is { } ev)
                {
                    report.Line($"      CPU of the evidence rows step: PostgreSQL {ev.Server.TotalSeconds:F2} s, this process {ev.Process.TotalSeconds:F2} s");
                }
                continue;
            }
            var (elapsed, processed, load, check, sqlCpu) = await stored.RunSqlBaselineAsync();
            sqlRate.Add(n / elapsed.TotalSeconds);
            if (sqlCpu is { } sc) sqlCpuRate.Add(n / sc.TotalSeconds);
            sqlLoads.Add(load);
            report.Line($"run {r} SQL oms_correlate_events(): {elapsed.TotalSeconds:F1} s for {processed:N0} signals = {n / elapsed.TotalSeconds:N0} signals/s " +
                        $"({elapsed.TotalMilliseconds / n:F2} ms each); server CPU {Cpu(sqlCpu, n)}; load {load}");
            report.Line("      " + check);

            var c = await stored.RunColdAsync();
            coldRate.Add(n / c.Pass.Elapsed.TotalSeconds);
            coldLoads.Add(c.Load);
            if (c.Pass.Cpu is { } cc) coldCpuRate.Add(n / cc.TotalSeconds);
            engineRate.Add(n / c.Engine.TotalSeconds);
            report.Line($"run {r} engine cold pass: {c.Pass.Describe()} = {n / c.Pass.Elapsed.TotalSeconds:N0} signals/s; CPU (this process + its backends) {Cpu(c.Pass, n)}; load {c.Load}");
            report.Line($"      the engine alone on the same signals (network loaded, ingest + advance, no database): {c.Engine.TotalSeconds:F2} s = {n / c.Engine.TotalSeconds:N0} signals/s");
            report.Line("      " + c.Check);

            var w = await stored.RunWarmAsync();
            warmRate.Add(n / w.Pass.Elapsed.TotalSeconds);
            warmLoads.Add(w.Load);
            if (w.Pass.Cpu is { } wc) warmCpuRate.Add(n / wc.TotalSeconds);
            report.Line($"run {r} engine warm pass: {w.Pass.Describe()} = {n / w.Pass.Elapsed.TotalSeconds:N0} signals/s; CPU (this process + its backends) {Cpu(w.Pass, n)}; load {w.Load}");
            report.Line("      " + w.Check);
        }
        if (sqlRate.Count == 0) return;
        double sql = Stats.Median(sqlRate), cold = Stats.Median(coldRate), warm = Stats.Median(warmRate), alone = Stats.Median(engineRate);
        report.Figure($"baseline: SQL oms_correlate_events() over {n:N0} stored signals", "signals/s", sqlRate, sqlLoads);
        report.Figure($"baseline: correlation pass, cold (loads the network), same {n:N0} signals", "signals/s", coldRate, coldLoads);
        report.Figure($"baseline: correlation pass, warm (engine loaded), same {n:N0} signals", "signals/s", warmRate, warmLoads);
        report.Figure($"baseline: the engine alone (in memory, no reads or writes), same {n:N0} signals", "signals/s", engineRate, coldLoads);
        report.Note($"baseline ratio (median rates, N = {n:N0} signals measured, nothing extrapolated): cold pass / SQL = {cold / sql:F0}×, warm pass / SQL = {warm / sql:F0}×, " +
                    $"engine alone / SQL = {alone / sql:F0}× (the SQL figure includes its writes; the engine-alone one does not)");
        if (sqlCpuRate.Count > 0 && coldCpuRate.Count > 0 && warmCpuRate.Count > 0)
        {
            // Wall time on a shared machine measures the neighbours too; CPU seconds do not.
            report.Figure($"baseline: SQL oms_correlate_events() per CPU second (its backend), {n:N0} signals", "signals/s", sqlCpuRate, sqlLoads);
            report.Figure($"baseline: cold pass per CPU second (this process + its backends), {n:N0} signals", "signals/s", coldCpuRate, coldLoads);
            report.Figure($"baseline: warm pass per CPU second (this process + its backends), {n:N0} signals", "signals/s", warmCpuRate, warmLoads);
            double sqlC = Stats.Median(sqlCpuRate);
            report.Note($"baseline ratio by CPU time (median signals per CPU second): cold pass / SQL = {Stats.Median(coldCpuRate) / sqlC:F0}×, warm pass / SQL = {Stats.Median(warmCpuRate) / sqlC:F0}×");
        }
    }

    private static string Cpu(TimeSpan? cpu, int n) => cpu is { } c ? $"{c.TotalSeconds:F2} s = {n / c.TotalSeconds:N0} signals per CPU second" : "not measured (server not local)";

    private static string Cpu(TimedPass pass, int n) => pass.Cpu is { } c && pass.ServerCpu is { } server
        ? $"{Cpu(c, n)} (PostgreSQL {server.TotalSeconds:F2} s, this process {(c - server).TotalSeconds:F2} s)"
        : Cpu(pass.Cpu, n);
}
