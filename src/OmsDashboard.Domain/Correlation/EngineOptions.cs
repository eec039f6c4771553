namespace OmsDashboard.Domain.Correlation;

/// <summary>A correlation rule set: the design's standard, storm and SCADA-priority values by default.</summary>
/// <param name="TimeWindow">Evidence further apart than this is never rolled up into one outage.</param>
/// <param name="SpatialRadiusMeters">How far a call without an account may be from the customer it is given to.</param>
/// <param name="ConfidenceThreshold">Confidence at which an outage is confirmed.</param>
/// <param name="AgingToProbable">An unconfirmed outage still open after this becomes probable.</param>
public sealed record RuleSet(string Name, TimeSpan TimeWindow, double SpatialRadiusMeters, double ConfidenceThreshold, TimeSpan AgingToProbable)
{
    public static readonly RuleSet Standard = new("standard", TimeSpan.FromMinutes(30), 1000, 0.7, TimeSpan.FromMinutes(10));
    public static readonly RuleSet Storm = new("storm", TimeSpan.FromMinutes(60), 2000, 0.5, TimeSpan.FromMinutes(5));
    public static readonly RuleSet ScadaPriority = new("scada_priority", TimeSpan.FromMinutes(15), 500, 0.9, TimeSpan.FromMinutes(5));
}

/// <summary>How much each source is believed (the design's weights by default).</summary>
public sealed record SourceWeights(double Scada = 1.0, double Kaifa = 0.8, double Onu = 0.6, double Callcenter = 0.4)
{
    public double Of(Signals.SourceSystem source) => source switch
    {
        Signals.SourceSystem.Scada => Scada,
        Signals.SourceSystem.Kaifa => Kaifa,
        Signals.SourceSystem.Onu => Onu,
        _ => Callcenter,
    };
}

/// <summary>Everything the engine can be tuned with; defaults are what the quality tests hold to.</summary>
public sealed record EngineOptions
{
    public RuleSet Standard { get; init; } = RuleSet.Standard;
    public RuleSet Storm { get; init; } = RuleSet.Storm;
    public RuleSet ScadaPriority { get; init; } = RuleSet.ScadaPriority;
    public SourceWeights Weights { get; init; } = new();

    /// <summary>
    /// How long AMI/ONU/call evidence waits (event time) before it may open an outage, so that a
    /// quick restore makes a momentary instead, and late-arriving evidence of the same moment is in.
    /// Longer than the meters' 30–45 s qualification delay plus network jitter.
    /// </summary>
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>IEEE 1366: an interruption of this length or less is momentary.</summary>
    public TimeSpan MomentaryThreshold { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A SCADA trip not followed by a close within this is treated as an open device.</summary>
    public TimeSpan RecloseWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Expected share of meters whose last gasp arrives (AMI is lossy).</summary>
    public double MeterReportRate { get; init; } = 0.7;

    /// <summary>Expected share of ONUs whose dying gasp arrives.</summary>
    public double OnuReportRate { get; init; } = 0.95;

    /// <summary>
    /// Cost (negative log prior) of one more independent fault in the explanation. Equal for a
    /// device and a service drop: a single dark customer is a service outage, two under one
    /// transformer are the transformer.
    /// </summary>
    public double FaultCost { get; init; } = 4.0;

    /// <summary>Cost of a customer known to have power under a device predicted out.</summary>
    public double LiveCustomerCost { get; init; } = 6.0;

    /// <summary>An outage is restored when this share of its reporting customers have restored.</summary>
    public double RestoredShare { get; init; } = 0.5;

    /// <summary>
    /// Most meters pinged after a restoration: every customer still dark when its outage was
    /// restored is presumed restored and its meter pinged (0 = no pings).
    /// </summary>
    public int PingLimit { get; init; } = 1000;

    /// <summary>
    /// A new small outage pings the silent meters under the device above it, when that device
    /// has at most this many customers, to find the outage's real extent (0 = never).
    /// </summary>
    public int NeighbourPingLimit { get; init; } = 64;
}
