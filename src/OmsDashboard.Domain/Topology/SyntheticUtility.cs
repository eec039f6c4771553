using System.Globalization;

namespace OmsDashboard.Domain.Topology;

/// <summary>
/// Builds a synthetic utility of any size by tiling real feeders side by side on a grid: every
/// copy gets distinct ids (a <c>.tN</c> suffix) and its own place on the map, and the last copy
/// is cut so the utility has exactly the requested number of customers. The electrical shape of
/// each copy is the real feeder's, which is what scale work on correlation needs.
/// </summary>
public static class SyntheticUtility
{
    /// <summary>Writes <c>nodes.csv</c> and <c>assets.csv</c> for a utility of <paramref name="customers"/> customers.</summary>
    /// <returns>The number of tiles and of node rows written.</returns>
    public static (int Tiles, long Nodes) Write(IReadOnlyList<NetworkTopology> templates, int customers,
        TextWriter nodes, TextWriter assets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(customers);
        if (templates.Count == 0 || templates.Any(t => t.Assets.Count == 0))
        {
            throw new ArgumentException("every template needs customers", nameof(templates));
        }

        // Cell size: the largest template extent plus a margin, so tiles never overlap.
        double cellLat = 0, cellLon = 0;
        foreach (var t in templates)
        {
            cellLat = Math.Max(cellLat, t.Lats.Max() - t.Lats.Min());
            cellLon = Math.Max(cellLon, t.Lons.Max() - t.Lons.Min());
        }
        cellLat *= 1.15;
        cellLon *= 1.15;
        int perTile = (int)templates.Average(t => t.Assets.Count);
        int columns = Math.Max(1, (int)Math.Ceiling(Math.Sqrt((double)customers / perTile)));

        nodes.Write(string.Join(',', TopologyFiles.NodeColumns) + "\n");
        assets.Write(string.Join(',', TopologyFiles.AssetColumns) + "\n");
        int remaining = customers;
        int tile = 0;
        long rows = 0;
        while (remaining > 0)
        {
            var t = templates[tile % templates.Count];
            double dLat = (tile / columns) * cellLat - t.Lats.Min();
            double dLon = (tile % columns) * cellLon - t.Lons.Min();
            string suffix = ".t" + tile.ToString(CultureInfo.InvariantCulture);
            int take = Math.Min(remaining, t.Assets.Count);
            rows += WriteTile(t, suffix, 30.0 + dLat, -100.0 + dLon, take, nodes, assets);
            remaining -= take;
            tile++;
        }
        return (tile, rows);
    }

    private static long WriteTile(NetworkTopology t, string suffix, double dLat, double dLon, int customers,
        TextWriter nodes, TextWriter assets)
    {
        long rows = 0;
        int written = 0;
        for (int i = 0; i < t.Count; i++)
        {
            if (t.Kinds[i] == NodeKind.Customer && written++ >= customers)
            {
                continue;
            }
            string parent = t.Parents[i] < 0 ? "" : t.Ids[t.Parents[i]] + suffix;
            nodes.Write(Csv(t.Ids[i] + suffix));
            nodes.Write(',');
            nodes.Write(t.Kinds[i].ToWire());
            nodes.Write(',');
            nodes.Write(Csv(parent));
            nodes.Write(',');
            nodes.Write((t.Lats[i] + dLat).ToString("F7", CultureInfo.InvariantCulture));
            nodes.Write(',');
            nodes.Write((t.Lons[i] + dLon).ToString("F7", CultureInfo.InvariantCulture));
            nodes.Write(',');
            nodes.Write(t.Phases[i] ?? "");
            nodes.Write(',');
            nodes.Write(Csv(t.Names[i]));
            nodes.Write('\n');
            rows++;
        }
        for (int i = 0; i < customers; i++)
        {
            var a = t.Assets[i];
            assets.Write(Csv(a.CustomerId + suffix));
            assets.Write(',');
            assets.Write(Csv(a.AccountNumber + suffix));
            assets.Write(',');
            assets.Write(Csv(a.MeterId + suffix));
            assets.Write(',');
            assets.Write(a.OnuId is null ? "" : Csv(a.OnuId + suffix));
            assets.Write('\n');
        }
        return rows;
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
