namespace OmsDashboard.Domain.Simulation;

/// <summary>
/// The rates of the storm simulator. Defaults follow how the sources really behave
/// (docs/domain.md). Ranges are drawn once per storm (uniformly); give the same value twice, e.g.
/// <c>MeterReportRate = (0.75, 0.75)</c>, to fix one. Every rate is a probability in [0, 1].
/// Timings (AMI qualification delay 30–45 s, call delays, SCADA latency…) are fixed physics and
/// documented on <see cref="StormSimulator"/>.
/// </summary>
public sealed record SimulatorOptions
{
    /// <summary>The defaults.</summary>
    public static SimulatorOptions Default { get; } = new();

    /// <summary>
    /// Share of affected Kaifa meters whose last gasp arrives (AMI is a lossy sample), drawn once
    /// per storm. Default 0.60–0.90.
    /// </summary>
    public (double Min, double Max) MeterReportRate { get; init; } = (0.60, 0.90);

    /// <summary>Share of meters that report <c>power_restore</c> when their power returns. Default 0.90.</summary>
    public double MeterRestoreRate { get; init; } = 0.90;

    /// <summary>Share of affected ONUs whose dying gasp arrives. Default 0.95.</summary>
    public double OnuReportRate { get; init; } = 0.95;

    /// <summary>Share of ONUs that report <c>online</c> when power (or the fiber) returns. Default 0.98.</summary>
    public double OnuOnlineRate { get; init; } = 0.98;

    /// <summary>Share of affected customers who call about an interruption, drawn once per storm. Default 0.10–0.30.</summary>
    public (double Min, double Max) CallRate { get; init; } = (0.10, 0.30);

    /// <summary>Share of callers who give their account number; the others give only a place within 30 m of the customer. Default 0.90.</summary>
    public double AccountShare { get; init; } = 0.90;

    /// <summary>Share of outage calls categorised <c>partial_power</c>. Default 0.03.</summary>
    public double PartialPowerShare { get; init; } = 0.03;

    /// <summary>Share of outage calls categorised <c>wire_down</c> (a customer who sees the wire). Default 0.01.</summary>
    public double WireDownShare { get; init; } = 0.01;

    /// <summary>
    /// Chance that a sustained fault also gets a <c>wire_down</c> call from a passer-by at the
    /// faulted device (place only, no account). Default 0.05; 1 makes every sustained fault report one.
    /// </summary>
    public double FaultWireDownProbability { get; init; } = 0.05;

    /// <summary>
    /// Share of would-be callers whose power is already back when they call (after a momentary)
    /// who call <c>flickering</c> instead of not calling. Default 0.25.
    /// </summary>
    public double FlickerCallShare { get; init; } = 0.25;

    /// <summary>Share of customers of a sustained interruption who call <c>power_restored</c> after it. Default 0.02.</summary>
    public double RestoredCallRate { get; init; } = 0.02;

    /// <summary>
    /// Chance that a fault at a fuse, switch or transformer makes the telemetered device of its
    /// zone (the nearest recloser or feeder breaker above it) trip and reclose 1–3 s later.
    /// Default 0.5.
    /// </summary>
    public double ReclosingTripProbability { get; init; } = 0.5;

    /// <summary>Share of pinged meters that answer (<see cref="SimulatedStorm.AnswerPings"/>). Default 0.95.</summary>
    public double PingAnswerRate { get; init; } = 0.95;

    internal void Validate()
    {
        CheckRange(MeterReportRate, nameof(MeterReportRate));
        CheckRange(CallRate, nameof(CallRate));
        CheckRate(MeterRestoreRate, nameof(MeterRestoreRate));
        CheckRate(OnuReportRate, nameof(OnuReportRate));
        CheckRate(OnuOnlineRate, nameof(OnuOnlineRate));
        CheckRate(AccountShare, nameof(AccountShare));
        CheckRate(PartialPowerShare, nameof(PartialPowerShare));
        CheckRate(WireDownShare, nameof(WireDownShare));
        CheckRate(PartialPowerShare + WireDownShare, nameof(PartialPowerShare) + " + " + nameof(WireDownShare));
        CheckRate(FaultWireDownProbability, nameof(FaultWireDownProbability));
        CheckRate(FlickerCallShare, nameof(FlickerCallShare));
        CheckRate(RestoredCallRate, nameof(RestoredCallRate));
        CheckRate(ReclosingTripProbability, nameof(ReclosingTripProbability));
        CheckRate(PingAnswerRate, nameof(PingAnswerRate));
    }

    private static void CheckRate(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, "must be a probability in [0, 1]");
        }
    }

    private static void CheckRange((double Min, double Max) range, string name)
    {
        CheckRate(range.Min, name + ".Min");
        CheckRate(range.Max, name + ".Max");
        if (range.Min > range.Max)
        {
            throw new ArgumentOutOfRangeException(name, range, "Min must not exceed Max");
        }
    }
}
