using Npgsql;

namespace OmsDashboard.Data.Queries;

/// <summary>Read models of the network for the dashboard and the API (raw SQL: these run on every page load).</summary>
public sealed class TopologyQueries(NpgsqlDataSource dataSource)
{
    /// <summary>Counts per kind over the whole network and per feeder.</summary>
    public async Task<TopologySummary> GetSummaryAsync(CancellationToken ct = default)
    {
        const string sql = """
            SELECT f.id, f.name, s.id, s.name,
                   (SELECT count(*) FROM network_devices d WHERE d.feeder_id = f.id AND d.kind = 'recloser'),
                   (SELECT count(*) FROM network_devices d WHERE d.feeder_id = f.id AND d.kind = 'fuse'),
                   (SELECT count(*) FROM network_devices d WHERE d.feeder_id = f.id AND d.kind = 'switch'),
                   (SELECT count(*) FROM network_distribution_points p WHERE p.feeder_id = f.id),
                   (SELECT count(*) FROM oms_customers c WHERE c.feeder_id = f.id),
                   (SELECT count(*) FROM oms_smart_meters m JOIN oms_customers c ON c.id = m.customer_id WHERE c.feeder_id = f.id),
                   (SELECT count(*) FROM oms_onu_devices o JOIN oms_customers c ON c.id = o.customer_id WHERE c.feeder_id = f.id)
              FROM network_feeders f JOIN network_substations s ON s.id = f.substation_id
             ORDER BY s.id, f.id
            """;
        var feeders = new List<FeederSummary>();
        await using (var cmd = dataSource.CreateCommand(sql))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                feeders.Add(new FeederSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    new KindCounts(
                        Recloser: reader.GetInt64(4), Fuse: reader.GetInt64(5), Switch: reader.GetInt64(6),
                        Transformer: reader.GetInt64(7), Customer: reader.GetInt64(8), Meter: reader.GetInt64(9), Onu: reader.GetInt64(10))));
            }
        }

        long substations;
        await using (var cmd = dataSource.CreateCommand("SELECT count(*) FROM network_substations"))
        {
            substations = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var total = feeders.Aggregate(new KindCounts(0, 0, 0, 0, 0, 0, 0), (a, f) => a + f.Counts);
        return new TopologySummary(substations, feeders.Count, total, feeders);
    }

    /// <summary>
    /// Customers on the network's feeders: the same figure as <see cref="GetSummaryAsync"/>'s total,
    /// without counting meters and ONUs per feeder (seconds at 150,000 customers; the Operations
    /// page needs only this one number).
    /// </summary>
    public async Task<long> CountCustomersAsync(CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT count(*) FROM oms_customers c JOIN network_feeders f ON f.id = c.feeder_id");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The box around every feeder head, device and transformer, or null when there is no network:
    /// a map can be fitted to the network before its lines arrive.
    /// </summary>
    public async Task<NetworkBounds?> GetNetworkBoundsAsync(CancellationToken ct = default)
    {
        const string sql = """
            SELECT ST_YMin(e), ST_XMin(e), ST_YMax(e), ST_XMax(e) FROM (
                SELECT ST_Extent(g) AS e FROM (
                    SELECT location::geometry AS g FROM network_feeders
                    UNION ALL SELECT location::geometry FROM network_devices
                    UNION ALL SELECT location::geometry FROM network_distribution_points) n) x
             WHERE e IS NOT NULL
            """;
        await using var cmd = dataSource.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new NetworkBounds(reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3))
            : null;
    }

    /// <summary>
    /// The feeders as line segments (every device and transformer joined to its upstream node),
    /// plus the protective devices worth a marker, for drawing on the map.
    /// </summary>
    public async Task<IReadOnlyList<FeederGeometry>> GetFeederGeometryAsync(int maxFeeders = 200, CancellationToken ct = default)
    {
        const string sql = """
            WITH feeders AS (
                SELECT f.id, f.name, f.substation_id, f.location FROM network_feeders f ORDER BY f.id LIMIT @max),
            nodes AS (
                SELECT d.id, d.feeder_id, d.parent_device_id, d.location, d.kind FROM network_devices d
                UNION ALL
                SELECT p.id, p.feeder_id, p.parent_device_id, p.location, 'transformer' FROM network_distribution_points p)
            SELECT f.id, f.name, f.substation_id,
                   ST_Y(f.location::geometry), ST_X(f.location::geometry),
                   n.kind, n.id,
                   ST_Y(n.location::geometry), ST_X(n.location::geometry),
                   ST_Y(COALESCE(pd.location, f.location)::geometry), ST_X(COALESCE(pd.location, f.location)::geometry)
              FROM feeders f
              JOIN nodes n ON n.feeder_id = f.id
              LEFT JOIN network_devices pd ON pd.id = n.parent_device_id
             ORDER BY f.id
            """;
        var result = new List<FeederGeometry>();
        FeederGeometry? current = null;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("max", maxFeeders);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            string feederId = reader.GetString(0);
            if (current?.Id != feederId)
            {
                current = new FeederGeometry(feederId, reader.GetString(1), reader.GetString(2), reader.GetDouble(3), reader.GetDouble(4), [], []);
                result.Add(current);
            }
            string kind = reader.GetString(5);
            double lat = reader.GetDouble(7), lon = reader.GetDouble(8);
            current.Segments.Add([reader.GetDouble(9), reader.GetDouble(10), lat, lon]);
            if (kind is "recloser" or "switch")
            {
                current.Devices.Add(new DeviceMarker(reader.GetString(6), kind, lat, lon));
            }
        }
        return result;
    }
}

public sealed record KindCounts(long Recloser, long Fuse, long Switch, long Transformer, long Customer, long Meter, long Onu)
{
    public static KindCounts operator +(KindCounts a, KindCounts b) => new(
        a.Recloser + b.Recloser, a.Fuse + b.Fuse, a.Switch + b.Switch, a.Transformer + b.Transformer,
        a.Customer + b.Customer, a.Meter + b.Meter, a.Onu + b.Onu);
}

public sealed record FeederSummary(string Id, string Name, string SubstationId, string SubstationName, KindCounts Counts);

public sealed record TopologySummary(long Substations, long Feeders, KindCounts Totals, IReadOnlyList<FeederSummary> FeederDetails);

/// <summary>A feeder to draw: segments as [fromLat, fromLon, toLat, toLon].</summary>
public sealed record FeederGeometry(string Id, string Name, string SubstationId, double Lat, double Lon,
    List<double[]> Segments, List<DeviceMarker> Devices);

/// <summary>South-west and north-east corners, in degrees.</summary>
public sealed record NetworkBounds(double South, double West, double North, double East);

public sealed record DeviceMarker(string Id, string Kind, double Lat, double Lon);
