using CsCheck;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Correlation;

/// <summary>The engine's invariants, checked over generated inputs.</summary>
public sealed class EnginePropertyTests
{
    private static readonly Gen<Evidence> GenEvidence =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 1_000_000], (source, n) => new Evidence(
            (SourceSystem)source, $"E-{n}", SignalType.LastGasp, SignalFactory.T0, SignalFactory.T0, new SourceWeights().Of((SourceSystem)source), -1, null));

    [Fact]
    public void Confidence_AddingEvidence_NeverLowersIt() =>
        Gen.Select(GenEvidence.List[0, 40], GenEvidence).Sample((existing, added) =>
        {
            double before = ConfidenceModel.Compute(existing, new SourceWeights()).Confidence;
            double after = ConfidenceModel.Compute([.. existing, added], new SourceWeights()).Confidence;
            return after >= before;
        });

    [Fact]
    public void Confidence_ScadaTripPlusNineCalls_StaysAboveTheTripAlone()
    {
        // The design's weighted average gives (1.0 + 9 × 0.4) / 10 = 0.46 here.
        var trip = new Evidence(SourceSystem.Scada, "SC-1", SignalType.ScadaLockout, SignalFactory.T0, SignalFactory.T0, 1.0, -1, null);
        var calls = Enumerable.Range(0, 9).Select(i => new Evidence(SourceSystem.Callcenter, $"CC-{i}", SignalType.CallNoPower, SignalFactory.T0, SignalFactory.T0, 0.4, i, null));

        Assert.Equal(1.0, ConfidenceModel.Compute([trip, .. calls], new SourceWeights()).Confidence);
        var (two, parts) = ConfidenceModel.Compute([new Evidence(SourceSystem.Kaifa, "K1", SignalType.LastGasp, SignalFactory.T0, SignalFactory.T0, 0.8, 1, null),
            new Evidence(SourceSystem.Callcenter, "C1", SignalType.CallNoPower, SignalFactory.T0, SignalFactory.T0, 0.4, 1, null)], new SourceWeights());
        Assert.Equal(1 - 0.2 * 0.6, two, 4);
        Assert.Equal(2, parts.Count);
    }

    /// <summary>A storm on the IEEE feeder: three fuse faults, calls, and a lockout, as signals.</summary>
    private static List<Signal> StormSignals()
    {
        var net = Feeders.Ieee8500;
        var s = new SignalFactory();
        var signals = new List<Signal>();
        var fuses = net.OfKind(NodeKind.Fuse).Where(f => net.CustomersDownstream[f] >= 6).Take(12).ToList();
        int k = 0;
        foreach (int fuse in fuses.Where((_, i) => i % 4 == 0))
        {
            int i = 0;
            foreach (int c in net.CustomersBelow(net.Ids[fuse]))
            {
                if (++i % 4 != 0) signals.Add(s.LastGasp(net.MeterOf(c), k * 20 + (i % 3)));
                if (i % 5 == 0) signals.Add(s.Call(net.AssetsOf(net.Ids[c])!.AccountNumber, k * 20 + 30 + i));
            }
            k++;
        }
        signals.Add(s.Scada("RCL:LN5860423-1", SignalType.ScadaLockout, 70));
        return signals;
    }

    private static string Outcome(CorrelationEngine engine) => string.Join("\n", engine.Outages.OrderBy(o => o.Number).Select(o =>
        $"{o.EventId} {o.Status} {engine.Network.Ids[o.Device]} {o.AffectedCustomers} {o.Confidence} {o.FirstDetectedAt:O} {o.ConfirmedAt:O} {o.MergedInto?.EventId} {o.Evidence.Count}"));

    [Fact]
    public void Advance_SameSignalsInAnyArrivalOrderWithinTheHold_GivesTheSameOutages()
    {
        var signals = StormSignals();
        var reference = new CorrelationEngine(Feeders.Ieee8500);
        foreach (var signal in signals) reference.Ingest(signal);
        reference.Advance(SignalFactory.T0.AddMinutes(30));
        string expected = Outcome(reference);
        Assert.NotEmpty(reference.Outages);

        Gen.Int.Sample(seed =>
        {
            var shuffled = signals.ToList();
            new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
            var engine = new CorrelationEngine(Feeders.Ieee8500);
            // Arrival in several batches, each advanced to its newest signal: the hold absorbs the disorder.
            foreach (var batch in shuffled.Chunk(17))
            {
                foreach (var signal in batch) engine.Ingest(signal);
                engine.Advance();
            }
            engine.Advance(SignalFactory.T0.AddMinutes(30));
            return Outcome(engine) == expected;
        }, iter: 25);
    }

    [Fact]
    public void Advance_ReplayingTheSameStormTwice_GivesTheSameState()
    {
        var signals = StormSignals();
        string Run()
        {
            var engine = new CorrelationEngine(Feeders.Ieee8500);
            foreach (var signal in signals) engine.Ingest(signal);
            engine.Advance(SignalFactory.T0.AddMinutes(30));
            return Outcome(engine);
        }

        Assert.Equal(Run(), Run());
    }
}
