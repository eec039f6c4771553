using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Topology;

/// <summary>The network model on the two real feeders, against the numbers in their READMEs.</summary>
public sealed class NetworkTopologyTests
{
    public static TheoryData<string, NodeKind, int> CountsFromReadme => new()
    {
        { RealFeeders.Ieee8500, NodeKind.Substation, 1 },
        { RealFeeders.Ieee8500, NodeKind.Feeder, 1 },
        { RealFeeders.Ieee8500, NodeKind.Recloser, 2 },
        { RealFeeders.Ieee8500, NodeKind.Switch, 42 },
        { RealFeeders.Ieee8500, NodeKind.Fuse, 125 },
        { RealFeeders.Ieee8500, NodeKind.Transformer, 1177 },
        { RealFeeders.Ieee8500, NodeKind.Customer, 1177 },
        { RealFeeders.Ckt24, NodeKind.Substation, 1 },
        { RealFeeders.Ckt24, NodeKind.Feeder, 1 },
        { RealFeeders.Ckt24, NodeKind.Recloser, 1 },
        { RealFeeders.Ckt24, NodeKind.Switch, 0 },
        { RealFeeders.Ckt24, NodeKind.Fuse, 62 },
        { RealFeeders.Ckt24, NodeKind.Transformer, 818 },
        { RealFeeders.Ckt24, NodeKind.Customer, 3890 },
    };

    [Theory]
    [MemberData(nameof(CountsFromReadme))]
    public void CountByKind_RealFeeder_MatchesReadme(string feeder, NodeKind kind, int expected)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var counts = network.CountByKind();

        // Assert
        Assert.Equal(expected, counts.GetValueOrDefault(kind));
        Assert.Equal(expected, network.OfKind(kind).Count());
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500, 2525, 1177, 375)]
    [InlineData(RealFeeders.Ckt24, 4773, 3890, 1354)]
    public void Parse_RealFeeder_HasReadmeTotalsAndOneAssetRowPerCustomer(string feeder, int nodes, int customers, int onus)
    {
        // Act
        var network = RealFeeders.Load(feeder);

        // Assert
        Assert.Equal(nodes, network.Count);
        Assert.Equal(customers, network.Assets.Count);
        Assert.Equal(onus, network.Assets.Count(a => a.OnuId is not null));
        Assert.Equal(customers, network.Assets.Select(a => a.MeterId).Distinct().Count());
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500, 1177)]
    [InlineData(RealFeeders.Ckt24, 3890)]
    public void CustomersDownstream_SubstationAndFeeder_AreAllCustomers(string feeder, int customers)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        int[] heads = [.. network.OfKind(NodeKind.Substation), .. network.OfKind(NodeKind.Feeder)];

        // Assert
        Assert.Equal(2, heads.Length);
        Assert.All(heads, h => Assert.Equal(customers, network.CustomersDownstream[h]));
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500, "RCL:LN5587291-1", 639)]
    [InlineData(RealFeeders.Ieee8500, "RCL:LN5860423-1", 543)]
    [InlineData(RealFeeders.Ckt24, "RCL:05410_339826OH", 2273)]
    public void CustomersDownstream_Recloser_MatchesReadme(string feeder, string recloser, int expected)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);
        Assert.True(network.TryGetIndex(recloser, out int node));

        // Act
        int customers = network.CustomersDownstream[node];

        // Assert
        Assert.Equal(NodeKind.Recloser, network.Kinds[node]);
        Assert.Equal(expected, customers);
    }

    [Fact]
    public void PathToRoot_RecloserB_PassesThroughRecloserA()
    {
        // Arrange
        var network = RealFeeders.Load(RealFeeders.Ieee8500);
        Assert.True(network.TryGetIndex("RCL:LN5587291-1", out int a));
        Assert.True(network.TryGetIndex("RCL:LN5860423-1", out int b));

        // Act
        var path = network.PathToRoot(b).ToList();

        // Assert
        Assert.Contains(a, path);
        Assert.DoesNotContain(b, network.PathToRoot(a));
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void CustomersDownstream_EveryNode_EqualsCustomersWhosePathPassesThroughIt(string feeder)
    {
        // Arrange: count independently, walking up from each customer.
        var network = RealFeeders.Load(feeder);
        int[] expected = new int[network.Count];
        foreach (int customer in network.OfKind(NodeKind.Customer))
        {
            foreach (int node in network.PathToRoot(customer))
            {
                expected[node]++;
            }
        }

        // Act
        int[] actual = network.CustomersDownstream;

        // Assert
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// The READMEs' "deepest path, root to leaf: N levels" counts the levels below the root
    /// (the substation is level 0), which is what <see cref="NetworkTopology.Depths"/> holds:
    /// IEEE 8500's deepest customer is at depth 19, on a path of 20 nodes; Ckt24's at depth 7, on
    /// a path of 8 nodes (substation, feeder, recloser, three fuses, transformer, customer).
    /// </summary>
    [Theory]
    [InlineData(RealFeeders.Ieee8500, 19)]
    [InlineData(RealFeeders.Ckt24, 7)]
    public void Depths_RealFeeder_DeepestLeafIsReadmeLevelsBelowTheSubstation(string feeder, int levels)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        int deepest = Enumerable.Range(0, network.Count).MaxBy(i => network.Depths[i]);

        // Assert
        Assert.Equal(levels, network.Depths[deepest]);
        Assert.Equal(levels + 1, network.PathToRoot(deepest).Count());
        Assert.Equal(NodeKind.Customer, network.Kinds[deepest]);
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void Depths_EveryNode_IsEdgesToTheSubstation(string feeder)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var wrong = Enumerable.Range(0, network.Count)
            .Where(i => network.Depths[i] != network.PathToRoot(i).Count() - 1)
            .ToList();

        // Assert
        Assert.Empty(wrong);
        Assert.Equal(0, network.Depths[0]);
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void Parents_RealFeeder_AreNumberedBeforeTheirChildren(string feeder)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var roots = Enumerable.Range(0, network.Count).Where(i => network.Parents[i] < 0).ToList();
        var badOrder = Enumerable.Range(0, network.Count).Where(i => network.Parents[i] >= i).ToList();

        // Assert
        Assert.Equal([0], roots);
        Assert.Equal(-1, network.Parents[0]);
        Assert.Empty(badOrder);
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void Parents_RealFeeder_MatchParentIdColumnOfTheFile(string feeder)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);
        var fileParents = RealFeeders.ReadRecords(RealFeeders.ReadText(feeder, "nodes.csv"))
            .Skip(1)
            .ToDictionary(r => r.Fields[0], r => r.Fields[2]);

        // Act
        var modelParents = Enumerable.Range(0, network.Count)
            .ToDictionary(i => network.Ids[i], i => network.Parents[i] < 0 ? "" : network.Ids[network.Parents[i]]);

        // Assert
        Assert.Equal(fileParents, modelParents);
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500, "SUB:HVMV_Sub")]
    [InlineData(RealFeeders.Ckt24, "SUB:SubXFMR")]
    public void PathToRoot_EveryNode_StartsAtTheNodeAndEndsAtItsSubstation(string feeder, string substation)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var paths = Enumerable.Range(0, network.Count).Select(i => (Node: i, Path: network.PathToRoot(i).ToList())).ToList();

        // Assert
        Assert.All(paths, p =>
        {
            Assert.Equal(p.Node, p.Path[0]);
            Assert.Equal(substation, network.Ids[p.Path[^1]]);
            Assert.Equal(network.Substations[p.Node], p.Path[^1]);
            for (int k = 1; k < p.Path.Count; k++)
            {
                Assert.Equal(network.Parents[p.Path[k - 1]], p.Path[k]);
            }
        });
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void ChildrenOf_EveryNode_IsExactlyTheNodesWhoseParentItIs(string feeder)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);
        var expected = Enumerable.Range(0, network.Count)
            .Where(i => network.Parents[i] >= 0)
            .ToLookup(i => network.Parents[i]);

        // Act / Assert
        int total = 0;
        for (int node = 0; node < network.Count; node++)
        {
            int[] children = network.ChildrenOf(node).ToArray();
            Assert.Equal(expected[node].Order(), children.Order());
            total += children.Length;
        }
        Assert.Equal(network.Count - 1, total);
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500, "FDR:LN5815900-1")]
    [InlineData(RealFeeders.Ckt24, "FDR:fdr_05410")]
    public void Feeders_EveryNodeBelowTheSubstation_IsTheFeederHead(string feeder, string feederId)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);
        Assert.True(network.TryGetIndex(feederId, out int head));

        // Act
        var feeders = network.Feeders;

        // Assert
        Assert.Equal(-1, feeders[0]);
        Assert.Equal(head, feeders[head]);
        Assert.All(Enumerable.Range(1, network.Count - 1), i =>
        {
            Assert.Equal(head, feeders[i]);
            Assert.Contains(head, network.PathToRoot(i));
        });
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void Substations_EveryNode_IsTheSubstation(string feeder)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var substations = network.Substations.Distinct().ToList();

        // Assert
        Assert.Equal([0], substations);
        Assert.Equal(NodeKind.Substation, network.Kinds[0]);
    }

    [Fact]
    public void Feeders_TwoSubstationsTwoFeedersEach_PointAtTheirOwnHeads()
    {
        // Arrange: rows deliberately interleaved between the two substations.
        NodeRecord Row(string id, NodeKind kind, string? parent) => new(id, kind, parent, 34, -117, null, id, 0);
        var network = NetworkTopology.FromValidated(
        [
            Row("S1", NodeKind.Substation, null), Row("S2", NodeKind.Substation, null),
            Row("F1a", NodeKind.Feeder, "S1"), Row("F2a", NodeKind.Feeder, "S2"), Row("F1b", NodeKind.Feeder, "S1"),
            Row("T1", NodeKind.Transformer, "F1b"), Row("T2", NodeKind.Transformer, "F2a"),
            Row("C1", NodeKind.Customer, "T1"), Row("C2", NodeKind.Customer, "T2"), Row("C3", NodeKind.Customer, "T2"),
        ],
        [
            new("C1", "A1", "M1", null, 0), new("C2", "A2", "M2", null, 0), new("C3", "A3", "M3", "O3", 0),
        ]);
        int Index(string id) => network.TryGetIndex(id, out int i) ? i : throw new KeyNotFoundException(id);

        // Act
        string FeederOf(string id) => network.Ids[network.Feeders[Index(id)]];
        string SubstationOf(string id) => network.Ids[network.Substations[Index(id)]];

        // Assert
        Assert.Equal(("F1b", "S1"), (FeederOf("C1"), SubstationOf("C1")));
        Assert.Equal(("F2a", "S2"), (FeederOf("C3"), SubstationOf("C3")));
        Assert.Equal(("F1a", "S1"), (FeederOf("F1a"), SubstationOf("F1a")));
        Assert.Equal(-1, network.Feeders[Index("S2")]);
        Assert.Equal(1, network.CustomersDownstream[Index("S1")]);
        Assert.Equal(2, network.CustomersDownstream[Index("S2")]);
        Assert.Equal(0, network.CustomersDownstream[Index("F1a")]);
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500, "CUST:223658A0", "AC850000002", "KFM850000002", "ONU850000002")]
    [InlineData(RealFeeders.Ieee8500, "CUST:226195333C0", "AC850000001", "KFM850000001", null)]
    [InlineData(RealFeeders.Ckt24, "CUST:986250100", "AC240000001", "KFM240000001", "ONU240000001")]
    [InlineData(RealFeeders.Ckt24, "CUST:987250100", "AC240000002", "KFM240000002", null)]
    public void AssetsOf_Customer_ReturnsItsRow(string feeder, string customer, string account, string meter, string? onu)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var assets = network.AssetsOf(customer);

        // Assert
        Assert.NotNull(assets);
        Assert.Equal((customer, account, meter, onu), (assets.CustomerId, assets.AccountNumber, assets.MeterId, assets.OnuId));
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500, "XFMR:T226195333C")]
    [InlineData(RealFeeders.Ieee8500, "CUST:nobody")]
    [InlineData(RealFeeders.Ckt24, "SUB:SubXFMR")]
    public void AssetsOf_NotACustomer_ReturnsNull(string feeder, string id)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var assets = network.AssetsOf(id);

        // Assert
        Assert.Null(assets);
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void Assets_RealFeeder_AreInCustomerOrderAndMatchTheFileRows(string feeder)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);
        var fileRows = RealFeeders.ReadRecords(RealFeeders.ReadText(feeder, "assets.csv"))
            .Skip(1)
            .ToDictionary(r => r.Fields[0], r => (r.Line, Account: r.Fields[1], Meter: r.Fields[2], Onu: r.Fields[3]));

        // Act
        var customers = network.OfKind(NodeKind.Customer).Select(i => network.Ids[i]).ToList();

        // Assert
        Assert.Equal(customers, network.Assets.Select(a => a.CustomerId));
        Assert.All(network.Assets, a =>
        {
            var row = fileRows[a.CustomerId];
            Assert.Equal((row.Line, row.Account, row.Meter, row.Onu.Length == 0 ? null : row.Onu),
                (a.SourceLine, a.AccountNumber, a.MeterId, a.OnuId));
            Assert.Same(a, network.AssetsOf(a.CustomerId));
        });
    }

    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void TryGetIndex_EveryId_FindsItsOwnNumber(string feeder)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var misses = Enumerable.Range(0, network.Count)
            .Where(i => !network.TryGetIndex(network.Ids[i], out int found) || found != i)
            .ToList();

        // Assert
        Assert.Empty(misses);
        Assert.False(network.TryGetIndex("no such node", out _));
    }
}
