namespace OmsDashboard.Domain.Topology;

/// <summary>
/// An immutable, validated radial network held in flat arrays indexed by node number, so that a
/// utility of millions of customers fits in memory and the correlation engine can walk it without
/// allocating. Nodes are numbered in breadth-first order: a parent's number is always smaller
/// than its children's, so one forward pass sees parents first and one backward pass rolls up.
/// </summary>
public sealed class NetworkTopology
{
    private readonly Dictionary<string, int> _index;
    private readonly int[] _childStart;
    private readonly int[] _children;

    public int Count => Ids.Length;
    public string[] Ids { get; }
    public NodeKind[] Kinds { get; }
    /// <summary>Parent node number, -1 for a substation.</summary>
    public int[] Parents { get; }
    public double[] Lats { get; }
    public double[] Lons { get; }
    public string?[] Phases { get; }
    public string[] Names { get; }
    /// <summary>The line of <c>nodes.csv</c> each node came from (0 when built in code).</summary>
    public int[] SourceLines { get; }
    /// <summary>The feeder a node belongs to, -1 for a substation.</summary>
    public int[] Feeders { get; }
    /// <summary>The substation a node belongs to.</summary>
    public int[] Substations { get; }
    /// <summary>Customers at or below each node (1 for a customer).</summary>
    public int[] CustomersDownstream { get; }
    /// <summary>Levels below the substation (substation = 0).</summary>
    public int[] Depths { get; }

    /// <summary>The assets of each customer, in customer order.</summary>
    public IReadOnlyList<CustomerAssets> Assets { get; }
    private readonly Dictionary<string, int> _assetByCustomer;

    private NetworkTopology(string[] ids, NodeKind[] kinds, int[] parents, double[] lats, double[] lons,
        string?[] phases, string[] names, int[] sourceLines, List<CustomerAssets> assets)
    {
        SourceLines = sourceLines;
        Ids = ids;
        Kinds = kinds;
        Parents = parents;
        Lats = lats;
        Lons = lons;
        Phases = phases;
        Names = names;
        Assets = assets;
        int n = ids.Length;
        _index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            _index[ids[i]] = i;
        }
        _assetByCustomer = new Dictionary<string, int>(assets.Count, StringComparer.Ordinal);
        for (int i = 0; i < assets.Count; i++)
        {
            _assetByCustomer[assets[i].CustomerId] = i;
        }

        // Children in compressed rows: _children[_childStart[i] .. _childStart[i + 1]).
        _childStart = new int[n + 1];
        foreach (int p in parents)
        {
            if (p >= 0) _childStart[p + 1]++;
        }
        for (int i = 0; i < n; i++)
        {
            _childStart[i + 1] += _childStart[i];
        }
        _children = new int[Math.Max(0, n - parents.Count(p => p < 0))];
        var fill = (int[])_childStart.Clone();
        for (int i = 0; i < n; i++)
        {
            if (parents[i] >= 0) _children[fill[parents[i]]++] = i;
        }

        Feeders = new int[n];
        Substations = new int[n];
        Depths = new int[n];
        for (int i = 0; i < n; i++)
        {
            int p = parents[i];
            if (p < 0)
            {
                Feeders[i] = -1;
                Substations[i] = i;
                continue;
            }
            Depths[i] = Depths[p] + 1;
            Substations[i] = Substations[p];
            Feeders[i] = kinds[i] == NodeKind.Feeder ? i : Feeders[p];
        }

        CustomersDownstream = new int[n];
        for (int i = n - 1; i >= 0; i--)
        {
            if (kinds[i] == NodeKind.Customer) CustomersDownstream[i]++;
            if (parents[i] >= 0) CustomersDownstream[parents[i]] += CustomersDownstream[i];
        }
    }

    public bool TryGetIndex(string id, out int index) => _index.TryGetValue(id, out index);

    public ReadOnlySpan<int> ChildrenOf(int node) => _children.AsSpan(_childStart[node], _childStart[node + 1] - _childStart[node]);

    public CustomerAssets? AssetsOf(string customerId) =>
        _assetByCustomer.TryGetValue(customerId, out int i) ? Assets[i] : null;

    /// <summary>Nodes of a kind, in breadth-first order.</summary>
    public IEnumerable<int> OfKind(NodeKind kind)
    {
        for (int i = 0; i < Kinds.Length; i++)
        {
            if (Kinds[i] == kind) yield return i;
        }
    }

    /// <summary>The path from a node up to its substation, the node first.</summary>
    public IEnumerable<int> PathToRoot(int node)
    {
        for (int i = node; i >= 0; i = Parents[i])
        {
            yield return i;
        }
    }

    /// <summary>Counts of nodes per kind.</summary>
    public IReadOnlyDictionary<NodeKind, int> CountByKind() =>
        Kinds.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>
    /// Checks the records as a whole (ids unique, parents present and of a fitting kind, no
    /// cycles, every customer with exactly one asset row and asset ids unique) and builds the
    /// network when they pass.
    /// </summary>
    internal static NetworkTopology? Build(List<NodeRecord> nodes, List<AssetRecord> assets,
        string nodesFile, string assetsFile, ErrorList errors)
    {
        var byId = new Dictionary<string, NodeRecord>(nodes.Count, StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!byId.TryAdd(node.Id, node))
            {
                errors.Add(nodesFile, node.Line, $"duplicate id '{node.Id}' (first on line {byId[node.Id].Line})");
            }
        }

        var childrenOf = new Dictionary<string, List<NodeRecord>>(StringComparer.Ordinal);
        var roots = new List<NodeRecord>();
        foreach (var node in byId.Values)
        {
            if (node.ParentId is null)
            {
                if (node.Kind != NodeKind.Substation)
                    errors.Add(nodesFile, node.Line, $"{node.Kind.ToWire()} '{node.Id}' has no parent_id (only a substation may be a root)");
                else
                    roots.Add(node);
                continue;
            }
            if (node.Kind == NodeKind.Substation)
            {
                errors.Add(nodesFile, node.Line, $"substation '{node.Id}' has parent_id '{node.ParentId}' (a substation is a root)");
                continue;
            }
            if (!byId.TryGetValue(node.ParentId, out var parent))
            {
                errors.Add(nodesFile, node.Line, $"missing parent '{node.ParentId}' of '{node.Id}'");
                continue;
            }
            if (!parent.Kind.CanBeParentOf(node.Kind))
            {
                errors.Add(nodesFile, node.Line,
                    $"a {parent.Kind.ToWire()} ('{parent.Id}') cannot be the parent of a {node.Kind.ToWire()} ('{node.Id}')");
                continue;
            }
            if (!childrenOf.TryGetValue(node.ParentId, out var list))
            {
                childrenOf[node.ParentId] = list = [];
            }
            list.Add(node);
        }

        // Breadth-first from the roots, in file order, gives the numbering.
        var order = new List<NodeRecord>(byId.Count);
        var seen = new HashSet<string>(byId.Count, StringComparer.Ordinal);
        foreach (var root in roots.OrderBy(r => r.Line))
        {
            order.Add(root);
            seen.Add(root.Id);
        }
        for (int head = 0; head < order.Count; head++)
        {
            if (childrenOf.TryGetValue(order[head].Id, out var kids))
            {
                foreach (var kid in kids.OrderBy(k => k.Line))
                {
                    if (seen.Add(kid.Id)) order.Add(kid);
                }
            }
        }

        if (order.Count < byId.Count)
        {
            ReportCycles(byId, seen, nodesFile, errors);
        }

        // Assets: exactly one row per customer, unique meter, ONU and account.
        var assetOf = new Dictionary<string, AssetRecord>(assets.Count, StringComparer.Ordinal);
        var meters = new Dictionary<string, int>(assets.Count, StringComparer.Ordinal);
        var onus = new Dictionary<string, int>(StringComparer.Ordinal);
        var accounts = new Dictionary<string, int>(assets.Count, StringComparer.Ordinal);
        foreach (var asset in assets)
        {
            if (!byId.TryGetValue(asset.CustomerId, out var customer))
            {
                errors.Add(assetsFile, asset.Line, $"asset for an unknown customer '{asset.CustomerId}' (not in {nodesFile})");
                continue;
            }
            if (customer.Kind != NodeKind.Customer)
            {
                errors.Add(assetsFile, asset.Line, $"'{asset.CustomerId}' is a {customer.Kind.ToWire()}, not a customer");
                continue;
            }
            if (!assetOf.TryAdd(asset.CustomerId, asset))
            {
                errors.Add(assetsFile, asset.Line, $"duplicate customer_id '{asset.CustomerId}' (first on line {assetOf[asset.CustomerId].Line})");
                continue;
            }
            if (!meters.TryAdd(asset.MeterId, asset.Line))
                errors.Add(assetsFile, asset.Line, $"duplicate meter_id '{asset.MeterId}' (first on line {meters[asset.MeterId]})");
            if (asset.OnuId is not null && !onus.TryAdd(asset.OnuId, asset.Line))
                errors.Add(assetsFile, asset.Line, $"duplicate onu_id '{asset.OnuId}' (first on line {onus[asset.OnuId]})");
            if (!accounts.TryAdd(asset.AccountNumber, asset.Line))
                errors.Add(assetsFile, asset.Line, $"duplicate account_number '{asset.AccountNumber}' (first on line {accounts[asset.AccountNumber]})");
        }
        foreach (var node in nodes)
        {
            if (node.Kind == NodeKind.Customer && !assetOf.ContainsKey(node.Id) && byId[node.Id] == node)
            {
                errors.Add(nodesFile, node.Line, $"customer '{node.Id}' has no row in {assetsFile} (every customer has a meter)");
            }
        }

        if (errors.Count > 0)
        {
            return null;
        }

        int n = order.Count;
        var numbers = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++) numbers[order[i].Id] = i;
        var ids = new string[n];
        var kinds = new NodeKind[n];
        var parents = new int[n];
        var lats = new double[n];
        var lons = new double[n];
        var phases = new string?[n];
        var names = new string[n];
        var lines = new int[n];
        var customerAssets = new List<CustomerAssets>(assets.Count);
        for (int i = 0; i < n; i++)
        {
            var r = order[i];
            ids[i] = r.Id;
            kinds[i] = r.Kind;
            parents[i] = r.ParentId is null ? -1 : numbers[r.ParentId];
            lats[i] = r.Lat;
            lons[i] = r.Lon;
            phases[i] = r.Phase;
            names[i] = r.Name;
            lines[i] = r.Line;
            if (r.Kind == NodeKind.Customer)
            {
                var a = assetOf[r.Id];
                customerAssets.Add(new CustomerAssets(r.Id, a.AccountNumber, a.MeterId, a.OnuId, a.Line));
            }
        }
        return new NetworkTopology(ids, kinds, parents, lats, lons, phases, names, lines, customerAssets);
    }

    /// <summary>Creates a network from already-valid parts (used by generators and tests).</summary>
    public static NetworkTopology FromValidated(IReadOnlyList<NodeRecord> nodes, IReadOnlyList<AssetRecord> assets)
    {
        var errors = new ErrorList();
        var network = Build([.. nodes], [.. assets], "nodes", "assets", errors);
        return network ?? throw new ArgumentException(
            "invalid network: " + string.Join("; ", errors.ToList().Take(5)), nameof(nodes));
    }

    private static void ReportCycles(Dictionary<string, NodeRecord> byId, HashSet<string> reached, string file, ErrorList errors)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in byId.Values.Where(n => !reached.Contains(n.Id)).OrderBy(n => n.Line))
        {
            // Walk up until a node repeats: the repeated stretch is the cycle.
            var path = new List<string>();
            var onPath = new Dictionary<string, int>(StringComparer.Ordinal);
            string? id = start.Id;
            while (id is not null && byId.TryGetValue(id, out var record) && !onPath.ContainsKey(id) && !reported.Contains(id))
            {
                onPath[id] = path.Count;
                path.Add(id);
                id = record.ParentId;
            }
            if (id is null || !onPath.ContainsKey(id))
            {
                continue;
            }
            var cycle = path.Skip(onPath[id]).ToList();
            foreach (var member in cycle) reported.Add(member);
            var first = cycle.Select(c => byId[c]).MinBy(c => c.Line)!;
            errors.Add(file, first.Line, "cycle: " + string.Join(" → ", cycle.Append(cycle[0]).Select(c => $"'{c}'")));
        }
    }
}

/// <summary>What a customer has: an account, one Kaifa meter and perhaps a fiber ONU.</summary>
/// <param name="SourceLine">The line of <c>assets.csv</c> it came from (0 when built in code).</param>
public sealed record CustomerAssets(string CustomerId, string AccountNumber, string MeterId, string? OnuId, int SourceLine = 0);
