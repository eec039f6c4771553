using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Domain.Tests.Correlation;

/// <summary>Storm mode: on at the activation volume, off by itself with hysteresis, manual override, rule set switch.</summary>
public sealed class StormModeTests
{
    private static readonly DateTimeOffset T0 = SignalFactory.T0;

    private static StormModeMonitor Monitor(out List<StormState> switches)
    {
        var monitor = new StormModeMonitor(new StormSettings(ActivationSignalsPerHour: 100, DeactivationSignalsPerHour: 50, MinimumActive: TimeSpan.FromMinutes(30)));
        var seen = new List<StormState>();
        monitor.Changed += seen.Add;
        switches = seen;
        return monitor;
    }

    [Fact]
    public void Evaluate_99SignalsInAnHour_StaysNormal_100SwitchesOn()
    {
        var monitor = Monitor(out var switches);
        for (int i = 0; i < 99; i++) monitor.Observe(T0.AddSeconds(i * 30));

        Assert.False(monitor.Evaluate(T0.AddMinutes(50)).Active);
        monitor.Observe(T0.AddMinutes(50));
        var state = monitor.Evaluate(T0.AddMinutes(50));

        Assert.True(state.Active);
        Assert.Equal(T0.AddMinutes(50), state.Since);
        Assert.Contains("100 outage signals in the last hour", state.Reason, StringComparison.Ordinal);
        Assert.Single(switches);
    }

    [Fact]
    public void Evaluate_OldSignalsLeaveTheHourWindow()
    {
        var monitor = Monitor(out _);
        for (int i = 0; i < 99; i++) monitor.Observe(T0);
        monitor.Observe(T0.AddMinutes(61));

        Assert.False(monitor.Evaluate(T0.AddMinutes(61)).Active);
        Assert.Equal(1, monitor.State.SignalsLastHour);
    }

    [Fact]
    public void Evaluate_VolumeFalls_SwitchesOffOnlyBelowTheLowerThresholdAfterTheMinimumTime()
    {
        var monitor = Monitor(out var switches);
        for (int i = 0; i < 120; i++) monitor.Observe(T0.AddSeconds(i));
        Assert.True(monitor.Evaluate(T0.AddMinutes(2)).Active);

        // 75 signals an hour: below activation, above deactivation — stays on (hysteresis).
        for (int m = 61; m <= 120; m++)
        {
            monitor.Observe(T0.AddMinutes(m));
            if (m % 4 == 0) monitor.Observe(T0.AddMinutes(m));
        }
        Assert.True(monitor.Evaluate(T0.AddMinutes(120)).Active);

        // A quiet hour: off.
        var off = monitor.Evaluate(T0.AddMinutes(182));
        Assert.False(off.Active);
        Assert.Equal(2, switches.Count);
        Assert.Contains("at or below 50", off.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_QuietButTooSoon_StaysOnUntilTheMinimumActiveTime()
    {
        var monitor = Monitor(out _);
        for (int i = 0; i < 100; i++) monitor.Observe(T0);
        Assert.True(monitor.Evaluate(T0).Active);

        Assert.True(monitor.Evaluate(T0.AddMinutes(20)).Active); // still 100 in the hour
        Assert.True(monitor.Evaluate(T0.AddMinutes(29)).Active);
        Assert.False(monitor.Evaluate(T0.AddMinutes(61)).Active);
    }

    [Fact]
    public void Override_OnAndBackToAutomatic()
    {
        var monitor = Monitor(out var switches);

        monitor.Override(true, T0, "operator ana");
        Assert.True(monitor.Evaluate(T0.AddHours(3)).Active); // no volume, but forced on
        Assert.True(monitor.State.Manual);
        Assert.Contains("operator ana", monitor.State.Reason, StringComparison.Ordinal);

        monitor.Override(null, T0.AddHours(3), "operator ana");
        Assert.False(monitor.Evaluate(T0.AddHours(4)).Active);
        Assert.Equal(2, switches.Count);
    }

    [Fact]
    public void Engine_StormVolume_SwitchesToTheStormRuleSetAndReportsIt()
    {
        var net = Feeders.Ieee8500;
        var engine = new CorrelationEngine(net);
        var s = new SignalFactory();
        Assert.Equal("standard", engine.ActiveRules.Name);
        foreach (int c in net.CustomersBelow("RCL:LN5860423-1").Take(150))
        {
            engine.Ingest(s.LastGasp(net.MeterOf(c), 1));
        }

        var changes = engine.Advance(T0.AddMinutes(3));

        Assert.True(engine.Storm.Active);
        Assert.Equal("storm", engine.ActiveRules.Name);
        Assert.NotNull(changes.StormChanged);
        Assert.All(engine.ActiveOutages, o => Assert.Contains("storm", o.Explanation!.RuleSet, StringComparison.Ordinal));
    }
}
