using System.Globalization;

namespace OmsDashboard.Data.Rules;

/// <summary>
/// One editable setting: where it is stored (<see cref="Entity"/> row <see cref="Key"/>, column
/// <see cref="Field"/>), how it is shown, the design's default, and the range it may take with the
/// reason for that range (shown to the operator when a value is outside it).
/// </summary>
public sealed record SettingDefinition(
    string Entity, string Key, string Field, string Label, string Unit,
    decimal Default, decimal Min, decimal Max, int Decimals, string Why)
{
    /// <summary>Stable id, e.g. <c>rule.standard.time_window</c>; also the field's key in validation errors.</summary>
    public string Id => $"{Entity}.{Key}.{Field}";

    /// <summary>The row it lives in, e.g. <c>rule.standard</c>: the unit of optimistic concurrency.</summary>
    public string Row => $"{Entity}.{Key}";

    /// <summary>Invariant text as stored in the audit trail (no unit: the definition knows it).</summary>
    public string Format(decimal value) => Math.Round(value, Decimals).ToString("F" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>For people, grouped digits and no unit: <c>30</c>, <c>10,000</c>, <c>0.70</c>.</summary>
    public string Number(decimal value) => Math.Round(value, Decimals).ToString("N" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>With the unit, for people: <c>30 min</c>, <c>1,000 m</c>, <c>0.70</c>.</summary>
    public string Display(decimal value) => Unit.Length == 0 ? Number(value) : $"{Number(value)} {Unit}";
}

/// <summary>
/// Every setting the Rules page edits: the three rule sets, the four source weights and the storm
/// thresholds, with the design's values (seed: standard 30 min / 1000 m / 0.7, storm 60 min /
/// 2000 m / 0.5, SCADA priority 15 min / 500 m / 0.9; weights 1.0 / 0.8 / 0.6 / 0.4; storm on at
/// 100 signals an hour) as defaults.
/// </summary>
public static class RuleCatalog
{
    public const string RuleEntity = "rule";
    public const string WeightEntity = "source_weight";
    public const string StormEntity = "storm_settings";
    public const string OverrideEntity = "storm_override";
    public const string StormKey = "storm";
    public const string OverrideField = "manual_override";

    public const string TimeWindow = "time_window";
    public const string Radius = "spatial_radius_meters";
    public const string Threshold = "confidence_threshold";
    public const string Weight = "weight";
    public const string Activation = "activation_signals_per_hour";
    public const string Deactivation = "deactivation_signals_per_hour";
    public const string MinimumOn = "minimum_active_duration";

    /// <summary>The rule sets in the order the page shows them, with a name for people.</summary>
    public static readonly IReadOnlyList<(string Key, string Title)> RuleSets =
        [("standard", "Standard"), ("storm", "Storm"), ("scada_priority", "SCADA priority")];

    public static readonly IReadOnlyList<(string Key, string Title)> Sources =
        [("scada", "SCADA"), ("kaifa", "Kaifa smart meters"), ("onu", "Fiber ONUs"), ("callcenter", "Call center")];

    public static readonly IReadOnlyList<SettingDefinition> All = Build();

    private static readonly Dictionary<string, SettingDefinition> ById = All.ToDictionary(s => s.Id);

    public static SettingDefinition Get(string id) => ById[id];

    public static bool TryGet(string id, out SettingDefinition definition) => ById.TryGetValue(id, out definition!);

    public static string Id(string entity, string key, string field) => $"{entity}.{key}.{field}";

    private static List<SettingDefinition> Build()
    {
        var all = new List<SettingDefinition>();
        foreach (var (key, window, radius, threshold) in new[] { ("standard", 30m, 1000m, 0.7m), ("storm", 60m, 2000m, 0.5m), ("scada_priority", 15m, 500m, 0.9m) })
        {
            all.Add(new(RuleEntity, key, TimeWindow, "Time window", "min", window, 1, 240, 0,
                "evidence further apart than this is never rolled into one outage; under a minute nothing correlates, over 4 hours unrelated faults merge"));
            all.Add(new(RuleEntity, key, Radius, "Search radius", "m", radius, 50, 10_000, 0,
                "how far a call placed only by its location may be from a customer already out; under 50 m is inside GPS error, over 10 km reaches the next town"));
            all.Add(new(RuleEntity, key, Threshold, "Confirm at confidence", "", threshold, 0.10m, 1, 2,
                "below 0.10 outages confirm on almost no evidence; 1.00 means only a SCADA lockout confirms"));
        }
        foreach (var (key, weight) in new[] { ("scada", 1.0m), ("kaifa", 0.8m), ("onu", 0.6m), ("callcenter", 0.4m) })
        {
            all.Add(new(WeightEntity, key, Weight, "Weight", "", weight, 0.05m, 1, 2,
                "how much one signal of this source is believed; 0 would ignore the source, 1.00 treats one signal as certain"));
        }
        all.Add(new(StormEntity, StormKey, Activation, "Switch on at", "signals/h", 100, 10, 100_000, 0,
            "outage signals in the last hour that switch storm mode on; under 10 a few calls would switch it on"));
        all.Add(new(StormEntity, StormKey, Deactivation, "Switch off at", "signals/h", 50, 0, 99_999, 0,
            "storm mode switches off at or below this, after the minimum time on; it must sit below the switch-on threshold (hysteresis)"));
        all.Add(new(StormEntity, StormKey, MinimumOn, "Stay on at least", "min", 30, 5, 720, 0,
            "so a storm's lulls do not flap the rules; under 5 min they would, over 12 h the storm rules outlive the storm"));
        return all;
    }
}
