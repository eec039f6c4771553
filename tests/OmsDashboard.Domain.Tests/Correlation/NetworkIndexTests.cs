using CsCheck;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Correlation;

public sealed class NetworkIndexTests
{
    private static readonly NetworkIndex Index = new(Feeders.Ckt24);

    /// <summary>The nearest customer by looking at every one of them (ties: lowest node number).</summary>
    private static int BruteForce(NetworkTopology net, double lat, double lon, double radius)
    {
        int best = -1;
        double bestDistance = double.MaxValue;
        foreach (int c in net.OfKind(NodeKind.Customer))
        {
            double d = NetworkIndex.DistanceMeters(lat, lon, net.Lats[c], net.Lons[c]);
            if (d <= radius && d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    [Fact]
    public void NearestCustomer_AnyPointAndRadius_AgreesWithLookingAtEveryCustomer()
    {
        var net = Feeders.Ckt24;
        double minLat = net.Lats.Min() - 0.01, maxLat = net.Lats.Max() + 0.01;
        double minLon = net.Lons.Min() - 0.01, maxLon = net.Lons.Max() + 0.01;
        Gen.Select(Gen.Double[minLat, maxLat], Gen.Double[minLon, maxLon], Gen.Int[1, 2500]).Sample((lat, lon, radius) =>
            Index.NearestCustomer(lat, lon, radius) == BruteForce(net, lat, lon, radius), iter: 300);
    }
}
