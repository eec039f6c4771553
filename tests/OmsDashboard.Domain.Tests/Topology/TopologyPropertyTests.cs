using System.Globalization;
using CsCheck;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Topology;

/// <summary>Properties of parsing over shuffled real files and generated small trees.</summary>
public sealed class TopologyPropertyTests
{
    // ---- Shuffled real files -------------------------------------------------------------

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void Parse_ShuffledNodeRows_GivesTheSameNetwork(string feeder)
    {
        // Arrange
        var expected = RealFeeders.Load(feeder);
        var expectedParents = ParentIds(expected);
        var expectedCounts = expected.CountByKind();
        var expectedDownstream = ById(expected, expected.CustomersDownstream);
        string[] lines = RealFeeders.ReadText(feeder, "nodes.csv").TrimEnd('\n').Split('\n');
        string header = lines[0];
        string[] rows = lines[1..];
        string assets = RealFeeders.ReadText(feeder, "assets.csv");
        var keys = Gen.Int.Array[rows.Length];

        // Act / Assert
        keys.Sample(k =>
        {
            string[] shuffled = [.. rows.Select((row, i) => (row, key: k[i])).OrderBy(p => p.key).Select(p => p.row)];
            var result = RealFeeders.Parse(header + "\n" + string.Join('\n', shuffled) + "\n", assets);

            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Take(5)));
            var network = result.Network!;
            Assert.Equal(expectedParents, ParentIds(network));
            Assert.Equal(expectedCounts, network.CountByKind());
            Assert.Equal(expectedDownstream, ById(network, network.CustomersDownstream));
            Assert.All(Enumerable.Range(0, network.Count), i => Assert.True(network.Parents[i] < i));
        }, iter: 12);
    }

    private static Dictionary<string, string?> ParentIds(NetworkTopology n) =>
        Enumerable.Range(0, n.Count).ToDictionary(i => n.Ids[i], i => n.Parents[i] < 0 ? null : n.Ids[n.Parents[i]]);

    private static Dictionary<string, int> ById(NetworkTopology n, int[] values) =>
        Enumerable.Range(0, n.Count).ToDictionary(i => n.Ids[i], i => values[i]);

    // ---- Generated trees -----------------------------------------------------------------

    /// <summary>A node of a generated tree; <see cref="Parent"/> indexes the tree's node list.</summary>
    private sealed record GenNode(string Id, NodeKind Kind, int Parent, int Lat, int Lon);

    private sealed record GenTree(IReadOnlyList<GenNode> Nodes, int[] RowOrder)
    {
        public IEnumerable<int> ChildrenOf(int node) => Enumerable.Range(0, Nodes.Count).Where(i => Nodes[i].Parent == node);

        public string NodesCsv(Func<GenNode, string?>? parentOverride = null, int skip = -1)
        {
            var text = new System.Text.StringBuilder(TopologyText.NodesHeader).Append('\n');
            foreach (int i in RowOrder)
            {
                if (i == skip)
                {
                    continue;
                }
                var n = Nodes[i];
                string parent = parentOverride?.Invoke(n) ?? (n.Parent < 0 ? "" : Nodes[n.Parent].Id);
                text.Append(CultureInfo.InvariantCulture,
                    $"{n.Id},{Wire(n.Kind)},{parent},{n.Lat / 1000.0},{n.Lon / 1000.0},A,\"{n.Id}, generated\"\n");
            }
            return text.ToString();
        }

        public string AssetsCsv()
        {
            var text = new System.Text.StringBuilder(TopologyText.AssetsHeader).Append('\n');
            foreach (var n in Nodes.Where(n => n.Kind == NodeKind.Customer).Reverse())
            {
                string onu = n.Lat % 2 == 0 ? "ONU-" + n.Id : "";
                text.Append(CultureInfo.InvariantCulture, $"{n.Id},AC-{n.Id},KFM-{n.Id},{onu}\n");
            }
            return text.ToString();
        }
    }

    /// <summary>The file spelling of a kind, written out here so the tests do not trust ToWire.</summary>
    private static string Wire(NodeKind kind) => kind switch
    {
        NodeKind.Substation => "substation",
        NodeKind.Feeder => "feeder",
        NodeKind.Recloser => "recloser",
        NodeKind.Fuse => "fuse",
        NodeKind.Switch => "switch",
        NodeKind.Transformer => "transformer",
        _ => "customer",
    };

    /// <summary>The contract's parent rules, written out independently of NodeKinds.CanBeParentOf.</summary>
    private static bool MayHang(NodeKind child, NodeKind parent) => child switch
    {
        NodeKind.Feeder => parent == NodeKind.Substation,
        NodeKind.Recloser or NodeKind.Fuse or NodeKind.Switch or NodeKind.Transformer =>
            parent is NodeKind.Feeder or NodeKind.Recloser or NodeKind.Fuse or NodeKind.Switch,
        NodeKind.Customer => parent == NodeKind.Transformer,
        _ => false,
    };

    private static readonly NodeKind[] Grown =
        [NodeKind.Recloser, NodeKind.Fuse, NodeKind.Switch, NodeKind.Transformer, NodeKind.Customer, NodeKind.Customer];

    /// <summary>
    /// One to three substations with one or two feeders each, a fuse under the first feeder, then
    /// up to 40 nodes each hung from a random node of a kind the contract allows; rows in random order.
    /// </summary>
    private static readonly Gen<GenTree> Trees =
        Gen.Select(Gen.Int[1, 3], Gen.Int[0, 7].Array[3], Gen.Int[0, 1_000_000].Array[0, 40], Gen.Int.Array[80])
        .Select((substations, feeders, steps, orderKeys) =>
        {
            var nodes = new List<GenNode>();
            int Add(string prefix, NodeKind kind, int parent, int salt)
            {
                nodes.Add(new GenNode($"{prefix}{nodes.Count}", kind, parent, 30_000 + salt % 10_000, -100_000 - salt % 20_000));
                return nodes.Count - 1;
            }
            for (int s = 0; s < substations; s++)
            {
                int sub = Add("S", NodeKind.Substation, -1, s);
                for (int f = 0; f <= feeders[s] % 2; f++)
                {
                    Add("F", NodeKind.Feeder, sub, f);
                }
            }
            Add("U", NodeKind.Fuse, 1, 7);
            foreach (int step in steps)
            {
                var kind = Grown[step % Grown.Length];
                var candidates = Enumerable.Range(0, nodes.Count).Where(i => MayHang(kind, nodes[i].Kind)).ToList();
                if (candidates.Count == 0)
                {
                    continue;
                }
                Add(kind == NodeKind.Customer ? "C" : "D", kind, candidates[step / Grown.Length % candidates.Count], step);
            }
            int[] order = [.. Enumerable.Range(0, nodes.Count).OrderBy(i => orderKeys[i % orderKeys.Length] ^ i)];
            return new GenTree(nodes, order);
        });

    [Fact]
    public void Parse_GeneratedValidTree_SucceedsWithTheGeneratedShape()
    {
        Trees.Sample(tree =>
        {
            // Act
            var result = RealFeeders.Parse(tree.NodesCsv(), tree.AssetsCsv());

            // Assert
            Assert.True(result.Succeeded, string.Join("; ", result.Errors));
            var network = result.Network!;
            Assert.Equal(tree.Nodes.Count, network.Count);
            foreach (var (node, i) in tree.Nodes.Select((n, i) => (n, i)))
            {
                Assert.True(network.TryGetIndex(node.Id, out int k));
                Assert.Equal(node.Kind, network.Kinds[k]);
                Assert.Equal(node.Parent < 0 ? null : tree.Nodes[node.Parent].Id,
                    network.Parents[k] < 0 ? null : network.Ids[network.Parents[k]]);
                Assert.Equal(CustomersBelow(tree, i), network.CustomersDownstream[k]);
                Assert.True(network.Parents[k] < k);
            }
            Assert.Equal(tree.Nodes.Count(n => n.Kind == NodeKind.Customer), network.Assets.Count);
        }, iter: 300);
    }

    private static int CustomersBelow(GenTree tree, int node) =>
        (tree.Nodes[node].Kind == NodeKind.Customer ? 1 : 0) + tree.ChildrenOf(node).Sum(c => CustomersBelow(tree, c));

    [Fact]
    public void Parse_GeneratedTreeWithAParentRowRemoved_ReportsEachOrphanAsMissingParent()
    {
        var cases =
            from tree in Trees
            let parents = Enumerable.Range(0, tree.Nodes.Count).Where(i => tree.ChildrenOf(i).Any()).ToArray()
            from pick in Gen.Int[0, parents.Length - 1]
            select (tree, removed: parents[pick]);

        cases.Sample((tree, removed) =>
        {
            // Act
            var result = RealFeeders.Parse(tree.NodesCsv(skip: removed), tree.AssetsCsv());

            // Assert
            Assert.False(result.Succeeded);
            string removedId = tree.Nodes[removed].Id;
            var orphans = tree.ChildrenOf(removed).Select(c => tree.Nodes[c].Id).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(orphans.Count, result.TotalErrors);
            Assert.All(result.Errors, e =>
            {
                Assert.Equal("nodes.csv", e.File);
                Assert.Contains($"missing parent '{removedId}'", e.Reason, StringComparison.Ordinal);
            });
            Assert.Equal(orphans, result.Errors.Select(e => e.Reason.Split('\'')[3]).Order(StringComparer.Ordinal));
        }, iter: 300);
    }

    [Fact]
    public void Parse_GeneratedTreeWithACycle_ReportsExactlyThatCycle()
    {
        // A line device is re-hung below itself (or on itself): everything on the loop is a line
        // device, so the only problem is the cycle.
        var cases =
            from tree in Trees
            let devices = Enumerable.Range(0, tree.Nodes.Count).Where(i => tree.Nodes[i].Kind.IsLineDevice()).ToArray()
            from top in Gen.Int[0, devices.Length - 1]
            let below = devices.Where(d => PathUp(tree, d).Contains(devices[top])).ToArray()
            from bottom in Gen.Int[0, below.Length - 1]
            select (tree, top: devices[top], bottom: below[bottom]);

        cases.Sample((tree, top, bottom) =>
        {
            // Arrange
            string topId = tree.Nodes[top].Id;
            string bottomId = tree.Nodes[bottom].Id;
            var loop = PathUp(tree, bottom).TakeWhile(i => i != top).Append(top).ToList();
            var lines = tree.RowOrder.Select((node, row) => (node, line: row + 2)).ToDictionary(p => p.node, p => p.line);

            // Act
            var result = RealFeeders.Parse(tree.NodesCsv(n => n.Id == topId ? bottomId : null), tree.AssetsCsv());

            // Assert
            Assert.False(result.Succeeded);
            Assert.Equal(1, result.TotalErrors);
            var error = Assert.Single(result.Errors);
            Assert.Equal(loop.Min(i => lines[i]), error.Line);
            Assert.StartsWith("cycle: ", error.Reason, StringComparison.Ordinal);
            Assert.All(loop, i => Assert.Contains($"'{tree.Nodes[i].Id}'", error.Reason, StringComparison.Ordinal));
            Assert.Equal(loop.Count + 1, error.Reason.Split('→').Length);
        }, iter: 300);
    }

    private static List<int> PathUp(GenTree tree, int node)
    {
        var path = new List<int>();
        for (int i = node; i >= 0; i = tree.Nodes[i].Parent)
        {
            path.Add(i);
        }
        return path;
    }
}
