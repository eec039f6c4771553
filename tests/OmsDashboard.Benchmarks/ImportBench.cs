using System.Diagnostics;
using OmsDashboard.Data;
using OmsDashboard.Data.Import;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// <c>import</c>: TopologyImporter.ImportFilesAsync of a synthetic utility into a fresh migrated
/// database (timed: read + validate + COPY + merge + commit, as the CLI runs it), then EPRI Ckt24
/// alone: a first import into a fresh database and a re-import of the same files.
/// </summary>
internal static class ImportBench
{
    public static async Task RunAsync(Options o, Report report)
    {
        int customers = o.Int("customers", 1_000_000);
        int runs = o.Int("runs", 3);
        await using var server = new BenchServer(o.Connection());
        report.Line("server: " + await server.DescribeAsync());

        if (!o.Flag("skip-synthetic"))
        {
            using var utility = Utility.Generate(customers);
            long bytes = new FileInfo(utility.NodesPath).Length + new FileInfo(utility.AssetsPath).Length;
            report.Line($"synthetic utility: {customers:N0} customers, {utility.Tiles} tiles, {utility.NodeRows:N0} node rows, {bytes / 1048576.0:F0} MB of CSV, written in {utility.WriteTime.TotalSeconds:F1} s (not timed)");
            var seconds = new List<double>();
            var rates = new List<double>();
            var loads = new List<string>();
            for (int r = 1; r <= runs; r++)
            {
                string db = await server.CreateMigratedAsync("import");
                var (elapsed, result) = await ImportAsync(server, db, utility.NodesPath, utility.AssetsPath);
                string load = Machine.Load();
                long size = await DatabaseSizeAsync(server, db);
                await server.DropAsync(db);
                seconds.Add(elapsed.TotalSeconds);
                rates.Add(result.Inserted / elapsed.TotalSeconds);
                loads.Add(load);
                report.Line($"run {r}: {elapsed.TotalSeconds:F1} s wall (importer's own clock {result.Elapsed.TotalSeconds:F1} s, of which read+validate {result.ParseTime.TotalSeconds:F1} s); " +
                            $"{result.Inserted:N0} rows inserted ({string.Join(", ", result.Counts.Select(kv => $"{kv.Key} {kv.Value:N0}"))}); " +
                            $"{result.Inserted / elapsed.TotalSeconds:N0} rows/s; database {Report.Mb(size)}; load {load}");
            }
            report.Figure($"import of a {customers:N0}-customer synthetic utility (fresh database)", "s", seconds, loads);
            report.Figure($"import of a {customers:N0}-customer synthetic utility, rows inserted per second", "rows/s", rates, loads);
        }

        if (!o.Flag("skip-ckt24"))
        {
            string dir = Utility.FeederDir("epri_ckt24");
            string nodes = Path.Combine(dir, "nodes.csv"), assets = Path.Combine(dir, "assets.csv");
            var first = new List<double>();
            var again = new List<double>();
            var firstRates = new List<double>();
            var firstLoads = new List<string>();
            var againLoads = new List<string>();
            for (int r = 1; r <= runs; r++)
            {
                string db = await server.CreateMigratedAsync("ckt24");
                var (e1, r1) = await ImportAsync(server, db, nodes, assets);
                string l1 = Machine.Load();
                var (e2, r2) = await ImportAsync(server, db, nodes, assets);
                string l2 = Machine.Load();
                await server.DropAsync(db);
                first.Add(e1.TotalSeconds);
                firstRates.Add(r1.Inserted / e1.TotalSeconds);
                again.Add(e2.TotalSeconds);
                firstLoads.Add(l1);
                againLoads.Add(l2);
                report.Line($"Ckt24 run {r}: first import {e1.TotalMilliseconds:F0} ms ({r1.Inserted:N0} rows inserted, {r1.Inserted / e1.TotalSeconds:N0} rows/s, read+validate {r1.ParseTime.TotalMilliseconds:F0} ms; load {l1}); " +
                            $"re-import {e2.TotalMilliseconds:F0} ms ({r2.Inserted} inserted, {r2.Updated} updated, {r2.Deleted} deleted; load {l2})");
            }
            report.Figure("EPRI Ckt24 first import (fresh database)", "s", first, firstLoads);
            report.Figure("EPRI Ckt24 first import, rows inserted per second", "rows/s", firstRates, firstLoads);
            report.Figure("EPRI Ckt24 re-import of the same files (changes nothing)", "s", again, againLoads);
        }
    }

    private static async Task<(TimeSpan Elapsed, TopologyImportResult Result)> ImportAsync(BenchServer server, string db, string nodes, string assets)
    {
        await using var ds = OmsDatabase.CreateDataSource(server.ConnectionString(db));
        var clock = Stopwatch.StartNew();
        var result = await new TopologyImporter(ds).ImportFilesAsync(nodes, assets);
        clock.Stop();
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("import failed: " + string.Join("; ", result.Errors.Take(5)));
        }
        return (clock.Elapsed, result);
    }

    private static async Task<long> DatabaseSizeAsync(BenchServer server, string db)
    {
        await using var ds = OmsDatabase.CreateDataSource(server.ConnectionString(db));
        return await Sql.ScalarAsync<long>(ds, "SELECT pg_database_size(current_database())");
    }
}
