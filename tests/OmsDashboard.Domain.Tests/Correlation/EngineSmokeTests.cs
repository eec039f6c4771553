using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Correlation;

public sealed class EngineSmokeTests
{
    private readonly NetworkTopology _net = Feeders.Ieee8500;
    private readonly SignalFactory _s = new();

    private static string FuseWithMostCustomers(NetworkTopology net) =>
        net.OfKind(NodeKind.Fuse).OrderByDescending(f => net.CustomersDownstream[f]).Select(f => net.Ids[f]).First();

    [Fact]
    public void Advance_FuseFaultWithMostMetersReporting_PredictsTheFuse()
    {
        string fuse = FuseWithMostCustomers(_net);
        var customers = _net.CustomersBelow(fuse);
        var engine = new CorrelationEngine(_net);
        for (int i = 0; i < customers.Count; i++)
        {
            if (i % 4 == 3) continue; // a quarter of the meters stay silent
            engine.Ingest(_s.LastGasp(_net.MeterOf(customers[i]), i % 3));
        }

        engine.Advance(SignalFactory.T0.AddMinutes(3));

        var outage = Assert.Single(engine.ActiveOutages);
        Assert.Equal(fuse, _net.Ids[outage.Device]);
        Assert.Equal(customers.Count, outage.AffectedCustomers);
        Assert.Equal(OutageStatus.Confirmed, outage.Status);
    }
}
