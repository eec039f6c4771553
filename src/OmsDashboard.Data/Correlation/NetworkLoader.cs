using Npgsql;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Data.Correlation;

/// <summary>Reads the stored network back into the domain's in-memory topology (for the engine).</summary>
public static class NetworkLoader
{
    public static async Task<NetworkTopology> LoadAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        // The two reads are independent: each on its own connection, at the same time, so the
        // server works on one while the client parses the other.
        var nodes = ReadNodesAsync(dataSource, ct);
        var assets = ReadAssetsAsync(dataSource, ct);
        await Task.WhenAll(nodes, assets);
        return NetworkTopology.FromValidated(await nodes, await assets);
    }

    private static async Task<List<NodeRecord>> ReadNodesAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        // Ordered by id: the node numbering (and so the engine's outage numbering) must not
        // depend on the physical order of rows.
        const string sql = """
            SELECT * FROM (
            SELECT id, 'substation', NULL, ST_Y(location::geometry), ST_X(location::geometry), phase, name FROM network_substations
            UNION ALL SELECT id, 'feeder', substation_id, ST_Y(location::geometry), ST_X(location::geometry), phase, name FROM network_feeders
            UNION ALL SELECT id, kind, COALESCE(parent_device_id, feeder_id), ST_Y(location::geometry), ST_X(location::geometry), phase, name FROM network_devices
            UNION ALL SELECT id, 'transformer', COALESCE(parent_device_id, feeder_id), ST_Y(location::geometry), ST_X(location::geometry), phase, name FROM network_distribution_points
            UNION ALL SELECT id, 'customer', distribution_point_id, ST_Y(location::geometry), ST_X(location::geometry), phase, name FROM oms_customers
            ) n ORDER BY 1
            """;
        var nodes = new List<NodeRecord>();
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            NodeKinds.TryParse(reader.GetString(1), out var kind);
            nodes.Add(new NodeRecord(reader.GetString(0), kind, reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetDouble(3), reader.GetDouble(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), nodes.Count + 2));
        }
        return nodes;
    }

    private static async Task<List<AssetRecord>> ReadAssetsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        // Each customer's first meter and first ONU by id, as grouped aggregates merged in id
        // order: one pass over each table's customer index instead of a LATERAL look-up (an index
        // scan and a sort) per customer, which took 5x as long. min(id) is the same row as
        // ORDER BY id LIMIT 1 (same collation).
        var assets = new List<AssetRecord>();
        await using var cmd = dataSource.CreateCommand("""
            SELECT c.id, c.account_number, m.id, o.id
              FROM oms_customers c
              JOIN (SELECT customer_id, min(id) AS id FROM oms_smart_meters GROUP BY customer_id) m ON m.customer_id = c.id
              LEFT JOIN (SELECT customer_id, min(id) AS id FROM oms_onu_devices GROUP BY customer_id) o ON o.customer_id = c.id
             ORDER BY c.id
            """);
        cmd.CommandTimeout = 0;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            assets.Add(new AssetRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), assets.Count + 2));
        }
        return assets;
    }
}
