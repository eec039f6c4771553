using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Correlation;

/// <summary>The real feeders, parsed once for the whole test run, and small helpers to make signals.</summary>
public static class Feeders
{
    private static readonly Lazy<NetworkTopology> _ieee = new(() => Load("ieee8500"));
    private static readonly Lazy<NetworkTopology> _ckt24 = new(() => Load("epri_ckt24"));

    public static NetworkTopology Ieee8500 => _ieee.Value;
    public static NetworkTopology Ckt24 => _ckt24.Value;

    public static NetworkTopology Load(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OmsDashboard.sln"))) dir = dir.Parent;
        string folder = Path.Combine(dir!.FullName, "db", "feeders", name);
        using var nodes = new StreamReader(Path.Combine(folder, "nodes.csv"));
        using var assets = new StreamReader(Path.Combine(folder, "assets.csv"));
        return TopologyFiles.Parse(nodes, "nodes.csv", assets, "assets.csv").Network!;
    }

    /// <summary>Customer node numbers below a node.</summary>
    public static List<int> CustomersBelow(this NetworkTopology net, string id)
    {
        net.TryGetIndex(id, out int root);
        var result = new List<int>();
        var stack = new Stack<int>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            int v = stack.Pop();
            if (net.Kinds[v] == NodeKind.Customer) result.Add(v);
            foreach (int c in net.ChildrenOf(v)) stack.Push(c);
        }
        result.Sort();
        return result;
    }

    public static string MeterOf(this NetworkTopology net, int customer) => net.AssetsOf(net.Ids[customer])!.MeterId;
}

/// <summary>Builds signals at times relative to a fixed start.</summary>
public sealed class SignalFactory
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);
    private int _n;

    public Signal LastGasp(string meter, double seconds) =>
        new(SourceSystem.Kaifa, $"KF-{++_n}", SignalType.LastGasp, T0.AddSeconds(seconds), T0.AddSeconds(seconds + 40), meter);

    public Signal Restore(string meter, double seconds) =>
        new(SourceSystem.Kaifa, $"KR-{++_n}", SignalType.PowerRestore, T0.AddSeconds(seconds), T0.AddSeconds(seconds + 10), meter);

    public Signal Scada(string device, SignalType type, double seconds) =>
        new(SourceSystem.Scada, $"SC-{++_n}", type, T0.AddSeconds(seconds), T0.AddSeconds(seconds + 1), device);

    public Signal Call(string account, double seconds, SignalType type = SignalType.CallNoPower) =>
        new(SourceSystem.Callcenter, $"CC-{++_n}", type, T0.AddSeconds(seconds), T0.AddSeconds(seconds), null, account);
}
