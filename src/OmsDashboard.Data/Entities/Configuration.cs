namespace OmsDashboard.Data.Entities;

/// <summary>A correlation rule set: <c>standard</c>, <c>storm</c> or <c>scada_priority</c>.</summary>
public sealed class OmsCorrelationRule
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public TimeSpan TimeWindow { get; set; }
    public double SpatialRadiusMeters { get; set; }
    public decimal ConfidenceThreshold { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "system";
}

public sealed class OmsSourceWeight
{
    public required string SourceType { get; set; }
    public decimal Weight { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "system";
}

/// <summary>Storm-mode thresholds (one row). Deactivation sits below activation: hysteresis.</summary>
public sealed class OmsStormModeSettings
{
    public int Id { get; set; } = 1;
    public int ActivationSignalsPerHour { get; set; }
    public int DeactivationSignalsPerHour { get; set; }
    /// <summary>How long storm mode stays on at least, once on.</summary>
    public TimeSpan MinimumActiveDuration { get; set; }
    /// <summary><c>null</c> = automatic; <c>on</c> / <c>off</c> = forced by an operator.</summary>
    public string? ManualOverride { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "system";
}

/// <summary>Whether storm mode is on now (one row).</summary>
public sealed class OmsStormModeState
{
    public int Id { get; set; } = 1;
    public bool IsActive { get; set; }
    public DateTimeOffset? Since { get; set; }
    public string? Reason { get; set; }
    public required string ActiveRuleSet { get; set; }
    public int SignalsLastHour { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
