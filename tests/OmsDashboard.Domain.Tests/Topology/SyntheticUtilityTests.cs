using System.Collections.Concurrent;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Topology;

/// <summary>Synthetic utilities tiled from both real feeders (IEEE 8500 first, then Ckt24).</summary>
public sealed class SyntheticUtilityTests
{
    private const int IeeeCustomers = 1177;
    private const int Ckt24Customers = 3890;

    private sealed record Output(int Tiles, long Rows, string Nodes, string Assets, TopologyParseResult Parsed);

    private static readonly ConcurrentDictionary<int, Lazy<Output>> Outputs = new();

    private static NetworkTopology[] Templates => [RealFeeders.Load(RealFeeders.Ieee8500), RealFeeders.Load(RealFeeders.Ckt24)];

    /// <summary>Writes (once per size) and parses back a utility of that many customers.</summary>
    private static Output Synthesize(int customers) => Outputs.GetOrAdd(customers, n => new Lazy<Output>(() =>
    {
        var nodes = new StringWriter();
        var assets = new StringWriter();
        var (tiles, rows) = SyntheticUtility.Write(Templates, n, nodes, assets);
        string nodesText = nodes.ToString();
        string assetsText = assets.ToString();
        return new Output(tiles, rows, nodesText, assetsText, RealFeeders.Parse(nodesText, assetsText));
    })).Value;

    [Theory]
    [InlineData(1)]
    [InlineData(IeeeCustomers + Ckt24Customers)]
    [InlineData(12345)]
    public void Write_RealTemplates_OutputParsesBackWithExactlyTheCustomers(int customers)
    {
        // Act
        var output = Synthesize(customers);

        // Assert
        Assert.True(output.Parsed.Succeeded, string.Join("; ", output.Parsed.Errors.Take(5)));
        var network = output.Parsed.Network!;
        Assert.Equal(customers, network.OfKind(NodeKind.Customer).Count());
        Assert.Equal(customers, network.Assets.Count);
        Assert.Equal(output.Rows, network.Count);
        Assert.Equal(output.Tiles, network.OfKind(NodeKind.Substation).Count());
        Assert.Equal(customers, network.OfKind(NodeKind.Substation).Sum(s => network.CustomersDownstream[s]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(IeeeCustomers, 1)]
    [InlineData(IeeeCustomers + 1, 2)]
    [InlineData(IeeeCustomers + Ckt24Customers, 2)]
    [InlineData(12345, 6)] // 1177 + 3890 + 1177 + 3890 + 1177 + 1034
    public void Write_RealTemplates_UsesTilesInTemplateOrderUntilTheCustomersAreReached(int customers, int tiles)
    {
        // Act
        var output = Synthesize(customers);

        // Assert
        Assert.Equal(tiles, output.Tiles);
        var network = output.Parsed.Network!;
        int[] perTile = [.. network.OfKind(NodeKind.Substation).OrderBy(s => TileOf(network.Ids[s])).Select(s => network.CustomersDownstream[s])];
        int[] expected = [.. Enumerable.Range(0, tiles).Select(t => t % 2 == 0 ? IeeeCustomers : Ckt24Customers)];
        expected[^1] = customers - expected[..^1].Sum();
        Assert.Equal(expected, perTile);
    }

    private static int TileOf(string id) => int.Parse(id[(id.LastIndexOf(".t", StringComparison.Ordinal) + 2)..], System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(1)]
    [InlineData(IeeeCustomers + Ckt24Customers)]
    [InlineData(12345)]
    public void Write_RealTemplates_AllNodeIdsAndAssetIdsAreDistinct(int customers)
    {
        // Arrange
        var output = Synthesize(customers);

        // Act
        var nodes = RealFeeders.ReadRecords(output.Nodes).Skip(1).ToList();
        var assets = RealFeeders.ReadRecords(output.Assets).Skip(1).ToList();

        // Assert
        Assert.Equal(output.Rows, nodes.Count);
        Assert.Equal(nodes.Count, nodes.Select(r => r.Fields[0]).Distinct().Count());
        Assert.Equal(customers, assets.Count);
        Assert.Equal(customers, assets.Select(r => r.Fields[0]).Distinct().Count());
        Assert.Equal(customers, assets.Select(r => r.Fields[1]).Distinct().Count());
        Assert.Equal(customers, assets.Select(r => r.Fields[2]).Distinct().Count());
        var onus = assets.Select(r => r.Fields[3]).Where(o => o.Length > 0).ToList();
        Assert.Equal(ExpectedOnus(customers), onus.Count);
        Assert.Equal(onus.Count, onus.Distinct().Count());
    }

    /// <summary>ONUs of the customers the tiles take: each tile takes its template's first customers.</summary>
    private static int ExpectedOnus(int customers)
    {
        int onus = 0;
        for (int tile = 0; customers > 0; tile++)
        {
            var template = Templates[tile % 2];
            int take = Math.Min(customers, template.Assets.Count);
            onus += template.Assets.Take(take).Count(a => a.OnuId is not null);
            customers -= take;
        }
        return onus;
    }

    [Theory]
    [InlineData(IeeeCustomers + Ckt24Customers)]
    [InlineData(12345)]
    public void Write_RealTemplates_TilesOccupyDisjointBoundingBoxes(int customers)
    {
        // Arrange
        var network = Synthesize(customers).Parsed.Network!;

        // Act
        var boxes = Enumerable.Range(0, network.Count)
            .GroupBy(i => network.Substations[i])
            .Select(g => (
                MinLat: g.Min(i => network.Lats[i]), MaxLat: g.Max(i => network.Lats[i]),
                MinLon: g.Min(i => network.Lons[i]), MaxLon: g.Max(i => network.Lons[i])))
            .ToList();

        // Assert
        Assert.Equal(Synthesize(customers).Tiles, boxes.Count);
        for (int a = 0; a < boxes.Count; a++)
        {
            for (int b = a + 1; b < boxes.Count; b++)
            {
                bool apart = boxes[a].MaxLat < boxes[b].MinLat || boxes[b].MaxLat < boxes[a].MinLat
                    || boxes[a].MaxLon < boxes[b].MinLon || boxes[b].MaxLon < boxes[a].MinLon;
                Assert.True(apart, $"tiles {a} and {b} overlap: {boxes[a]} / {boxes[b]}");
            }
        }
        Assert.All(boxes, box => Assert.True(box.MinLat >= -90 && box.MaxLat <= 90 && box.MinLon >= -180 && box.MaxLon <= 180));
    }

    [Fact]
    public void Write_FullTiles_KeepTheTemplatesShapeAndGeometry()
    {
        // Arrange
        var ieee = RealFeeders.Load(RealFeeders.Ieee8500);
        var ckt24 = RealFeeders.Load(RealFeeders.Ckt24);

        // Act
        var network = Synthesize(IeeeCustomers + Ckt24Customers).Parsed.Network!;

        // Assert
        Assert.Equal(ieee.Count + ckt24.Count, network.Count);
        foreach (var (template, suffix) in new[] { (ieee, ".t0"), (ckt24, ".t1") })
        {
            Assert.True(network.TryGetIndex(template.Ids[0] + suffix, out int sub));
            double dLat = network.Lats[sub] - template.Lats[0];
            double dLon = network.Lons[sub] - template.Lons[0];
            for (int i = 0; i < template.Count; i++)
            {
                Assert.True(network.TryGetIndex(template.Ids[i] + suffix, out int k), template.Ids[i] + suffix);
                Assert.Equal(template.Kinds[i], network.Kinds[k]);
                Assert.Equal(template.Parents[i] < 0 ? -1 : Index(network, template.Ids[template.Parents[i]] + suffix), network.Parents[k]);
                Assert.Equal(template.CustomersDownstream[i], network.CustomersDownstream[k]);
                Assert.Equal(template.Names[i], network.Names[k]);
                Assert.Equal(template.Phases[i], network.Phases[k]);
                Assert.Equal(template.Lats[i] + dLat, network.Lats[k], 1e-6);
                Assert.Equal(template.Lons[i] + dLon, network.Lons[k], 1e-6);
            }
        }
        var asset = network.AssetsOf("CUST:223658A0.t0");
        Assert.Equal(new CustomerAssets("CUST:223658A0.t0", "AC850000002.t0", "KFM850000002.t0", "ONU850000002.t0", asset?.SourceLine ?? -1), asset);
    }

    private static int Index(NetworkTopology network, string id) =>
        network.TryGetIndex(id, out int i) ? i : throw new KeyNotFoundException(id);

    [Fact]
    public void Write_OneCustomer_KeepsEveryNonCustomerNodeOfTheFirstTemplate()
    {
        // Arrange
        var ieee = RealFeeders.Load(RealFeeders.Ieee8500);

        // Act
        var output = Synthesize(1);

        // Assert
        var network = output.Parsed.Network!;
        Assert.Equal(ieee.Count - IeeeCustomers + 1, output.Rows);
        int customer = Assert.Single(network.OfKind(NodeKind.Customer));
        int firstTemplateCustomer = ieee.OfKind(NodeKind.Customer).First();
        Assert.Equal(ieee.Ids[firstTemplateCustomer] + ".t0", network.Ids[customer]);
        Assert.Equal(ieee.Assets[0].MeterId + ".t0", network.AssetsOf(network.Ids[customer])!.MeterId);
    }

    [Fact]
    public void Write_ZeroCustomers_Throws()
    {
        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticUtility.Write(Templates, 0, new StringWriter(), new StringWriter()));
    }

    [Fact]
    public void Write_NoTemplates_Throws()
    {
        // Act / Assert
        var ex = Assert.Throws<ArgumentException>(() => SyntheticUtility.Write([], 10, new StringWriter(), new StringWriter()));
        Assert.Equal("templates", ex.ParamName);
    }
}
