using System.Diagnostics;
using System.Text;
using OmsDashboard.Data;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Benchmarks;

/// <summary>A synthetic utility written to files (for the importer) and parsed (for the engine and the simulator).</summary>
internal sealed class Utility : IDisposable
{
    private Utility(string dir, int customers, int tiles, long nodeRows, TimeSpan writeTime)
    {
        Dir = dir;
        Customers = customers;
        Tiles = tiles;
        NodeRows = nodeRows;
        WriteTime = writeTime;
    }

    public string Dir { get; }
    public string NodesPath => Path.Combine(Dir, "nodes.csv");
    public string AssetsPath => Path.Combine(Dir, "assets.csv");
    public int Customers { get; }
    public int Tiles { get; }
    public long NodeRows { get; }
    public TimeSpan WriteTime { get; }

    public static string FeederDir(string name) => Path.Combine(RepoRoot.Find(), "db", "feeders", name);

    /// <summary>Writes a utility of <paramref name="customers"/> customers by tiling both demo feeders (as <c>oms generate</c> does).</summary>
    public static Utility Generate(int customers)
    {
        var clock = Stopwatch.StartNew();
        var templates = new[] { "ieee8500", "epri_ckt24" }.Select(f => ParseDir(FeederDir(f))).ToList();
        string dir = Path.Combine(Path.GetTempPath(), $"oms-bench-{Environment.ProcessId}-{customers}");
        Directory.CreateDirectory(dir);
        using var nodes = new StreamWriter(Path.Combine(dir, "nodes.csv"), false, new UTF8Encoding(false), 1 << 16);
        using var assets = new StreamWriter(Path.Combine(dir, "assets.csv"), false, new UTF8Encoding(false), 1 << 16);
        var (tiles, rows) = SyntheticUtility.Write(templates, customers, nodes, assets);
        return new Utility(dir, customers, tiles, rows, clock.Elapsed);
    }

    public NetworkTopology Parse() => ParseDir(Dir);

    public static NetworkTopology ParseDir(string dir)
    {
        using var nodes = new StreamReader(Path.Combine(dir, "nodes.csv"), Encoding.UTF8, true, 1 << 16);
        using var assets = new StreamReader(Path.Combine(dir, "assets.csv"), Encoding.UTF8, true, 1 << 16);
        var parsed = TopologyFiles.Parse(nodes, "nodes.csv", assets, "assets.csv");
        return parsed.Network ?? throw new InvalidOperationException($"{dir}: " + string.Join("; ", parsed.Errors.Take(3)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A simulated storm with its signals materialised once (the simulator builds a record on every access).</summary>
internal sealed class Storm
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);

    private Storm(string name, SimulatedStorm simulated, List<Signal> signals, int faults, TimeSpan buildTime)
    {
        Name = name;
        Simulated = simulated;
        Signals = signals;
        Faults = faults;
        BuildTime = buildTime;
    }

    public string Name { get; }
    public SimulatedStorm Simulated { get; }
    public List<Signal> Signals { get; private set; }
    public int Faults { get; }
    public TimeSpan BuildTime { get; }

    /// <summary>
    /// <see cref="StormScenarios.MassOutage"/> (every feeder head locks out, starts spread over
    /// <paramref name="spread"/>, no restoration) with the meters' report rate fixed at
    /// <paramref name="meterRate"/> (1: exactly one last gasp per customer).
    /// </summary>
    public static Storm MassOutage(NetworkTopology network, int seed, TimeSpan spread, double meterRate)
    {
        var clock = Stopwatch.StartNew();
        var faults = StormScenarios.MassOutage(network, seed, Start, spread);
        var options = SimulatorOptions.Default with { MeterReportRate = (meterRate, meterRate) };
        var simulated = new StormSimulator(network, options, seed).Simulate(faults);
        var signals = simulated.Signals.ToList();
        return new Storm($"MassOutage(seed {seed}, spread {spread.TotalMinutes:0} min, meter report rate {meterRate:0.##})", simulated, signals, faults.Count, clock.Elapsed);
    }

    /// <summary><see cref="StormScenarios.Random"/> with the default mix and simulator rates.</summary>
    public static Storm Random(NetworkTopology network, int seed, int faults, TimeSpan spread)
    {
        var clock = Stopwatch.StartNew();
        var specs = StormScenarios.Random(network, seed, faults, Start, spread);
        var simulated = new StormSimulator(network, SimulatorOptions.Default, seed).Simulate(specs);
        var signals = simulated.Signals.ToList();
        return new Storm($"Random(seed {seed}, {specs.Count} faults over {spread.TotalHours:0.#} h, default mix and rates)", simulated, signals, specs.Count, clock.Elapsed);
    }

    /// <summary>Keeps the first <paramref name="count"/> signals in arrival order: the burst that has arrived.</summary>
    public void Truncate(int count)
    {
        if (count < Signals.Count) Signals = Signals.GetRange(0, count);
    }

    /// <summary>After the hold of the latest signal: every signal has taken effect.</summary>
    public DateTimeOffset End => Signals.Max(s => s.OccurredAt) + new EngineOptions().HoldTime + TimeSpan.FromSeconds(10);

    public string Mix() => Mix(Signals);

    public static string Mix(IEnumerable<Signal> signals) =>
        string.Join(", ", signals.GroupBy(s => s.Type).OrderByDescending(g => g.Count())
            .Select(g => $"{SignalTypes.ToWire(g.Key)} {g.Count():N0}"))
        + "; with an account " + signals.Count(s => s.Source == SourceSystem.Callcenter && s.AccountNumber is not null).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
        + " calls, place only " + signals.Count(s => s.Source == SourceSystem.Callcenter && s.AccountNumber is null).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Why the engine's time grows as it does: each 5-s tick re-predicts every feeder that got a
    /// signal taking effect in it, walking that feeder's dark tree. Counts the (feeder, tick) pairs
    /// from the truth (the feeder of each signal's fault, effective time as the engine's holds)
    /// and the customers of those feeders summed over the pairs.
    /// </summary>
    public string WorkEstimate(NetworkTopology network)
    {
        long hold = new EngineOptions().HoldTime.Ticks, reclose = new EngineOptions().RecloseWindow.Ticks, tick = TimeSpan.FromSeconds(5).Ticks;
        var pairs = new HashSet<(int Feeder, long Tick)>();
        for (int i = 0; i < Signals.Count; i++)
        {
            var s = Signals[i];
            long h = s.Type switch
            {
                SignalType.ScadaLockout or SignalType.ScadaClose or SignalType.CallWireDown => 0,
                SignalType.ScadaTrip => reclose,
                _ => hold,
            };
            int feeder = network.Feeders[Simulated.Truth[Simulated.FaultIdOf(i)].DeviceNode];
            pairs.Add((feeder, (s.OccurredAt.UtcTicks + h) / tick));
        }
        int feeders = pairs.Select(p => p.Feeder).Distinct().Count();
        long visits = pairs.Sum(p => (long)network.CustomersDownstream[p.Feeder]);
        return $"{pairs.Count:N0} (feeder, 5-s tick) re-predictions over {feeders:N0} feeders ({(double)pairs.Count / Math.Max(1, feeders):F0} ticks per feeder); " +
               $"customers under the re-predicted feeders summed over them {visits:N0} = {(double)visits / Signals.Count:F0} per signal";
    }

    public string Describe() =>
        $"{Name}: {Faults:N0} faults, {Signals.Count:N0} signals (meter report rate drawn {Simulated.MeterReportRate:0.###}, call rate drawn {Simulated.CallRate:0.###}); " +
        $"occurred {Signals.Min(s => s.OccurredAt):HH:mm:ss}–{Signals.Max(s => s.OccurredAt):HH:mm:ss}; built in {BuildTime.TotalSeconds:F1} s";
}
