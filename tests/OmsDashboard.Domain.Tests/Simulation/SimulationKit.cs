using System.Globalization;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Tests.Topology;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Simulation;

/// <summary>Shared networks, places and statistics for the simulator tests.</summary>
internal static class SimulationKit
{
    public const string RecloserA = "RCL:LN5587291-1";
    public const string RecloserB = "RCL:LN5860423-1";
    public const string IeeeFeeder = "FDR:LN5815900-1";

    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);

    public static NetworkTopology Ieee => RealFeeders.Load(RealFeeders.Ieee8500);

    public static NetworkTopology Ckt24 => RealFeeders.Load(RealFeeders.Ckt24);

    public static SimulatedStorm Simulate(NetworkTopology network, int seed, params FaultSpec[] faults) =>
        new StormSimulator(network, SimulatorOptions.Default, seed).Simulate(faults);

    public static SimulatedStorm Simulate(NetworkTopology network, SimulatorOptions options, int seed, params FaultSpec[] faults) =>
        new StormSimulator(network, options, seed).Simulate(faults);

    public static int Node(this NetworkTopology network, string id) =>
        network.TryGetIndex(id, out int node) ? node : throw new KeyNotFoundException(id);

    public static bool IsUnder(this NetworkTopology network, int node, int ancestor)
    {
        for (int a = node; a >= 0; a = network.Parents[a])
        {
            if (a == ancestor) return true;
        }
        return false;
    }

    /// <summary>The customer nodes at or below a node.</summary>
    public static List<int> CustomersUnder(this NetworkTopology network, int device) =>
        [.. network.OfKind(NodeKind.Customer).Where(c => network.IsUnder(c, device))];

    public static HashSet<string> MetersUnder(this NetworkTopology network, int device) =>
        [.. network.CustomersUnder(device).Select(c => network.AssetsOf(network.Ids[c])!.MeterId)];

    public static HashSet<string> OnusUnder(this NetworkTopology network, int device) =>
        [.. network.CustomersUnder(device).Select(c => network.AssetsOf(network.Ids[c])!.OnuId).OfType<string>()];

    public static HashSet<string> AccountsUnder(this NetworkTopology network, int device) =>
        [.. network.CustomersUnder(device).Select(c => network.AssetsOf(network.Ids[c])!.AccountNumber)];

    /// <summary>The customer node of every meter id.</summary>
    public static Dictionary<string, int> CustomerOfMeter(this NetworkTopology network) =>
        network.OfKind(NodeKind.Customer).ToDictionary(c => network.AssetsOf(network.Ids[c])!.MeterId, c => c, StringComparer.Ordinal);

    public static Dictionary<string, int> CustomerOfOnu(this NetworkTopology network) =>
        network.OfKind(NodeKind.Customer).Where(c => network.AssetsOf(network.Ids[c])!.OnuId is not null)
            .ToDictionary(c => network.AssetsOf(network.Ids[c])!.OnuId!, c => c, StringComparer.Ordinal);

    /// <summary>The first device of a kind whose customers and place satisfy a condition.</summary>
    public static int FirstDevice(this NetworkTopology network, NodeKind kind, Func<int, bool> where) =>
        network.OfKind(kind).First(where);

    /// <summary>The nearest feeder breaker or recloser strictly above a node.</summary>
    public static int ZoneOf(this NetworkTopology network, int node)
    {
        int a = network.Parents[node];
        while (a >= 0 && network.Kinds[a] is not (NodeKind.Feeder or NodeKind.Recloser)) a = network.Parents[a];
        return a;
    }

    /// <summary>
    /// Asserts that a binomial count is within 4.5 standard deviations of its mean: a fixed seed
    /// makes it deterministic; the width makes a wrong rate (not the draw) fail it.
    /// </summary>
    public static void AssertBinomial(int observed, int trials, double p, string what)
    {
        double mean = trials * p;
        double tolerance = 4.5 * Math.Sqrt(trials * p * (1 - p)) + 1;
        Assert.True(Math.Abs(observed - mean) <= tolerance,
            string.Create(CultureInfo.InvariantCulture, $"{what}: {observed} of {trials}, expected {mean:F1} ± {tolerance:F1} (p = {p:F3})"));
    }

    /// <summary>Every field of every signal, for byte-for-byte comparisons.</summary>
    public static string Serialize(IEnumerable<Signal> signals) => string.Join('\n', signals.Select(s => string.Create(CultureInfo.InvariantCulture,
        $"{s.Source}|{s.SourceId}|{s.Type}|{s.OccurredAt.UtcTicks}|{s.ReceivedAt.UtcTicks}|{s.AssetId}|{s.AccountNumber}|{s.Lat:R}|{s.Lon:R}")));

    /// <summary>Great-circle distance in metres (haversine), good to a few millimetres at 30 m.</summary>
    public static double Metres(double lat1, double lon1, double lat2, double lon2)
    {
        const double R = 6_371_008.8;
        double dLat = (lat2 - lat1) * Math.PI / 180;
        double dLon = (lon2 - lon1) * Math.PI / 180;
        double a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
            + Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * R * Math.Asin(Math.Sqrt(a));
    }

    public static bool IsCall(this SignalType type) => type is SignalType.CallNoPower or SignalType.CallPartialPower
        or SignalType.CallFlickering or SignalType.CallWireDown or SignalType.CallPowerRestored;

    public static bool IsOutageCall(this SignalType type) => type is SignalType.CallNoPower or SignalType.CallPartialPower or SignalType.CallWireDown;
}
