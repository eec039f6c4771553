using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Correlation;

/// <summary>
/// Lookups the engine needs to place a signal in the network: meter, ONU and account to
/// customer, device id to node, and the nearest customer to a point (a uniform grid of about
/// 250 m cells over the customers; a call is matched within the rule set's radius).
/// </summary>
public sealed class NetworkIndex
{
    private const double MetersPerDegreeLat = 110_940;
    private const double CellMeters = 250;

    private readonly Dictionary<string, int> _meters;
    private readonly Dictionary<string, int> _onus;
    private readonly Dictionary<string, int> _accounts;
    private readonly Dictionary<long, List<int>> _grid = [];
    private readonly double _cellLat;
    private readonly double _cellLon;

    public NetworkIndex(NetworkTopology network)
    {
        Network = network;
        int customers = network.Assets.Count;
        _meters = new Dictionary<string, int>(customers, StringComparer.Ordinal);
        _onus = new Dictionary<string, int>(customers / 2, StringComparer.Ordinal);
        _accounts = new Dictionary<string, int>(customers, StringComparer.Ordinal);
        HasOnu = new bool[network.Count];
        foreach (var asset in network.Assets)
        {
            network.TryGetIndex(asset.CustomerId, out int node);
            _meters[asset.MeterId] = node;
            _accounts[asset.AccountNumber] = node;
            if (asset.OnuId is not null)
            {
                _onus[asset.OnuId] = node;
                HasOnu[node] = true;
            }
        }
        MeterOf = new string?[network.Count];
        foreach (var asset in network.Assets)
        {
            network.TryGetIndex(asset.CustomerId, out int node);
            MeterOf[node] = asset.MeterId;
        }

        double midLat = network.Count == 0 ? 0 : network.Lats.Average();
        _cellLat = CellMeters / MetersPerDegreeLat;
        _cellLon = CellMeters / (MetersPerDegreeLat * Math.Max(0.01, Math.Cos(midLat * Math.PI / 180)));
        for (int i = 0; i < network.Count; i++)
        {
            if (network.Kinds[i] != NodeKind.Customer) continue;
            long key = CellKey(network.Lats[i], network.Lons[i]);
            if (!_grid.TryGetValue(key, out var list)) _grid[key] = list = [];
            list.Add(i);
        }
    }

    public NetworkTopology Network { get; }

    /// <summary>Whether a customer node has a fiber ONU.</summary>
    public bool[] HasOnu { get; }

    /// <summary>The meter id of a customer node (null for other nodes).</summary>
    public string?[] MeterOf { get; }

    public bool TryMeter(string meterId, out int customer) => _meters.TryGetValue(meterId, out customer);
    public bool TryOnu(string onuId, out int customer) => _onus.TryGetValue(onuId, out customer);
    public bool TryAccount(string account, out int customer) => _accounts.TryGetValue(account, out customer);

    /// <summary>A SCADA device: a feeder head or a recloser, switch or fuse.</summary>
    public bool TryDevice(string deviceId, out int node) =>
        Network.TryGetIndex(deviceId, out node) && (Network.Kinds[node] == NodeKind.Feeder || Network.Kinds[node].IsLineDevice());

    /// <summary>The customer nearest to a point within <paramref name="radiusMeters"/>, or -1.</summary>
    /// <remarks>
    /// Searches the grid ring by ring outwards and stops as soon as every cell left is farther
    /// than the best customer found (cells of ring r are at least (r − 1) cells away), so a call
    /// in a dense town looks at a few cells, not the whole radius. Ties go to the lower node number.
    /// </remarks>
    public int NearestCustomer(double lat, double lon, double radiusMeters, Func<int, bool>? where = null)
    {
        int reach = (int)Math.Ceiling(radiusMeters / CellMeters);
        long cy = (long)Math.Floor(lat / _cellLat), cx = (long)Math.Floor(lon / _cellLon);
        int best = -1;
        double bestDistance = radiusMeters;
        for (int ring = 0; ring <= reach; ring++)
        {
            // 0.9: cells are a little narrower in metres away from the network's mean latitude.
            if (best >= 0 && bestDistance < (ring - 1) * CellMeters * 0.9) break;
            for (long y = cy - ring; y <= cy + ring; y++)
            {
                bool edgeRow = y == cy - ring || y == cy + ring;
                for (long x = cx - ring; x <= cx + ring; x += edgeRow || ring == 0 ? 1 : 2 * ring)
                {
                    if (!_grid.TryGetValue(Key(y, x), out var cell)) continue;
                    foreach (int c in cell)
                    {
                        if (where is not null && !where(c)) continue;
                        double d = DistanceMeters(lat, lon, Network.Lats[c], Network.Lons[c]);
                        if (d < bestDistance || (d == bestDistance && d <= radiusMeters && (best < 0 || c < best)))
                        {
                            best = c;
                            bestDistance = d;
                        }
                    }
                }
            }
        }
        return best;
    }

    /// <summary>Equirectangular distance: exact enough within a few kilometres.</summary>
    public static double DistanceMeters(double lat1, double lon1, double lat2, double lon2)
    {
        double dy = (lat2 - lat1) * MetersPerDegreeLat;
        double dx = (lon2 - lon1) * MetersPerDegreeLat * Math.Cos((lat1 + lat2) * Math.PI / 360);
        return Math.Sqrt(dx * dx + dy * dy);
    }

    private long CellKey(double lat, double lon) => Key((long)Math.Floor(lat / _cellLat), (long)Math.Floor(lon / _cellLon));

    private static long Key(long y, long x) => (y << 32) ^ (x & 0xFFFF_FFFF);
}
