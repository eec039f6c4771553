using System.Globalization;
using OmsDashboard.Benchmarks;

// oms-bench — the load harness. Each command prints every run with the machine load next to it
// and ends with a SUMMARY block of medians; docs/benchmarks.md records the figures.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return await Harness.RunAsync(args);

namespace OmsDashboard.Benchmarks
{
    internal static class Harness
    {
        public const string DefaultServer = "Host=127.0.0.1;Port=55500;Username=postgres";

        private const string Usage = """
            usage: dotnet run -c Release --project tests/OmsDashboard.Benchmarks -- <command> [options]

              import   --customers N [--runs 3] [--skip-synthetic 1] [--skip-ckt24 1]
                       times TopologyImporter.ImportFilesAsync of a synthetic utility of N customers
                       (the two demo feeders tiled) into a fresh migrated database, then EPRI Ckt24
                       alone: first import into a fresh database and re-import
              engine   --customers N [--gasps N] [--storm mass|random|both] [--faults 5000]
                       [--random-spread-min 360] [--mode batch|stream] [--spread-min 30] [--runs 3]
                       the correlation engine in memory: Ingest every signal, then Advance to the
                       end (batch), or Advance every 5 s of receive time (stream); run it under
                       `taskset -c 1` for one core
              burst    --signals N [--customers N] [--spread-min 30] [--runs 3]
                       N stored signals (binary COPY) of a mass outage correlated and persisted by
                       one CorrelationPass.RunAsync: cold (network loaded in the pass) and warm
              baseline --signals N [--customers N] [--spread-min 30] [--runs 3]
                       the same stored storm through SELECT oms_correlate_events() (the design's SQL)
                       and through the correlation pass; per-signal rates and their ratio
                       (burst, baseline: --keep-templates 1 leaves the two template databases for psql)
              ingest   [--signals 1000000] [--batch 5000] [--clients 8] [--customers 100000] [--runs 3]
                       [--settle-s 20] [--pg-data DIR]
                       the real app started as its own process (this build, Release when run with
                       -c Release) on a copy of a database with the utility imported; N signals of
                       a mass outage posted in contract batches by C concurrent clients (429s wait
                       Retry-After); then raw binary COPY of the same records into a fresh copy.
                       --pg-data: the data folder of a local cluster (the harness's own), to
                       count the server's CPU seconds as well as the app's and the harness's
              snapshot [--signals 100000] [--customers 100000] [--runs 3] [--engine-only 1]
                       engine snapshots (ADR 0013) after N stored signals of a mass outage: the
                       pass's snapshot step and size, a rebuild by full replay against one
                       restored from the snapshot; --engine-only 1: in memory, no database
              push     [--rate 1000] [--seconds 60] [--customers 100000] [--runs 3]
                       signal accepted -> SignalR OutageChanged latency at a steady rate: a paced
                       sender posts simulated faults' signals dated 100 s in the past (past the
                       engine's 90-s hold), a hub client times each new outage's first push
              ui       [--outages 50000] [--customers 150000] [--runs 5] [--rate 1000] [--seconds 60]
                       the Operations page in Chromium ($OMS_CHROMIUM_PATH or /usr/bin/chromium,
                       1920x1080) with N active outages inserted by SQL: first render (grid rows,
                       KPI count, the map standing for every outage) per fresh context; then a storm fed like push
                       while a MutationObserver times each new outage's row (accepted -> on screen),
                       long tasks, and a second page's search-to-screen

              map      [--outages 50000] [--runs 20] [--changed 20]
                       the Operations map's server-side clustering in memory (no database, no
                       browser): a page's first load, a composition per zoom, and a push

              common:  --connection CS   admin connection (default $OMS_BENCH_CONNECTION or
                                         Host=127.0.0.1;Port=55500;Username=postgres); databases
                                         bench_* are created and dropped
                       --seed S          storm seed (default 1)
            """;

        public static async Task<int> RunAsync(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            Options options;
            try
            {
                options = Options.Parse(args.Skip(1).ToArray());
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            var report = new Report("dotnet run -c Release --project tests/OmsDashboard.Benchmarks -- " + string.Join(' ', args));
            report.Line(report.Command);
            report.Line("machine: " + Machine.Describe());
            report.Line("load at start: " + Machine.Load());
            try
            {
                switch (args[0])
                {
                    case "import":
                        await ImportBench.RunAsync(options, report);
                        break;
                    case "engine":
                        EngineBench.Run(options, report);
                        break;
                    case "burst":
                        await BurstBench.RunAsync(options, report);
                        break;
                    case "baseline":
                        await BaselineBench.RunAsync(options, report);
                        break;
                    case "snapshot":
                        await SnapshotBench.RunAsync(options, report);
                        break;
                    case "push":
                        await PushBench.RunAsync(options, report);
                        break;
                    case "ui":
                        await UiBench.RunAsync(options, report);
                        break;
                    case "ingest":
                        await IngestBench.RunAsync(options, report);
                        break;
                    case "map":
                        MapBench.Run(options, report);
                        break;
                    default:
                        Console.Error.WriteLine($"unknown command '{args[0]}'\n\n{Usage}");
                        return 2;
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            report.PrintSummary();
            return 0;
        }
    }

    /// <summary><c>--name value</c> options.</summary>
    internal sealed class Options
    {
        private readonly Dictionary<string, string> _values = [];

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                {
                    throw new ArgumentException($"unexpected argument '{args[i]}' (options are --name value)");
                }
                o._values[args[i][2..]] = args[++i];
            }
            return o;
        }

        public int Int(string name, int fallback) =>
            _values.TryGetValue(name, out var v) ? int.Parse(v.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;

        public string Text(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

        public bool Flag(string name) => _values.TryGetValue(name, out var v) && v is "1" or "true" or "yes";

        public string Connection() =>
            _values.TryGetValue("connection", out var v) ? v
            : Environment.GetEnvironmentVariable("OMS_BENCH_CONNECTION") ?? Harness.DefaultServer;
    }
}
