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

/// <summary>
/// One changed setting (<c>oms_configuration_audit</c>): who changed which value of which rule,
/// weight or storm setting, from what to what, when and why. Written in the same transaction as
/// the change, never updated.
/// </summary>
public sealed class OmsConfigurationAudit
{
    public long Id { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string UserName { get; set; }
    /// <summary><c>rule</c>, <c>source_weight</c>, <c>storm_settings</c> or <c>storm_override</c>.</summary>
    public required string Entity { get; set; }
    /// <summary>Which row: the rule set's name, the source, or <c>storm</c>.</summary>
    public required string Key { get; set; }
    public required string Field { get; set; }
    /// <summary>Invariant-culture value in the setting's unit (minutes, metres, 0–1, signals/hour).</summary>
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
    public string? Reason { get; set; }
}
