using OmsDashboard.Data.Rules;

namespace OmsDashboard.Web.Features.Rules;

/// <summary>One value about to change, for the "what you are about to save" list.</summary>
public sealed record PendingChange(SettingDefinition Setting, decimal Old, decimal? New);

/// <summary>
/// The Rules page's editable state: the values as typed (null = empty field), validated on every
/// change with the same <see cref="RulesValidator"/> the store runs again on save, and the
/// difference from what was loaded.
/// </summary>
public sealed class RulesForm
{
    private readonly Dictionary<string, decimal?> _values = new(StringComparer.Ordinal);
    private Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public RulesForm(RulesSnapshot basis) => Load(basis);

    /// <summary>What was loaded: old values and row versions for the save.</summary>
    public RulesSnapshot Basis { get; private set; } = default!;

    public string? Reason { get; private set; }

    public IReadOnlyDictionary<string, decimal?> Values => _values;

    public IReadOnlyDictionary<string, string> Errors => _errors;

    public void Load(RulesSnapshot basis)
    {
        Basis = basis;
        _values.Clear();
        foreach (var s in RuleCatalog.All)
        {
            // Stored numerics come back with the column's scale (0.7000, 30.000…): show them as typed.
            _values[s.Id] = basis.Values.TryGetValue(s.Id, out var v) ? Math.Round(v, s.Decimals) : null;
        }
        Reason = null;
        Validate();
    }

    public decimal? Value(string id) => _values[id];

    public void Set(string id, decimal? value)
    {
        _values[id] = value;
        Validate();
    }

    public void SetReason(string? reason)
    {
        Reason = reason;
        Validate();
    }

    public string? Error(string id) => _errors.GetValueOrDefault(id);

    public decimal Old(string id) => Basis.Values.GetValueOrDefault(id);

    public bool IsChanged(string id) => _values[id] != Old(id);

    public IReadOnlyList<PendingChange> Changes =>
        [.. RuleCatalog.All.Where(s => IsChanged(s.Id)).Select(s => new PendingChange(s, Old(s.Id), _values[s.Id]))];

    public bool CanSave => _errors.Count == 0 && Changes.Count > 0;

    /// <summary>Shows what the server refused (it validates again; normally the same messages).</summary>
    public void ShowServerErrors(IReadOnlyDictionary<string, string> errors)
    {
        foreach (var (key, message) in errors) _errors[key] = message;
    }

    private void Validate()
    {
        _errors = RulesValidator.Validate(_values);
        if (RulesValidator.ValidateReason(Reason, required: false) is { } reasonError) _errors[RulesValidator.ReasonKey] = reasonError;
    }

    /// <summary>"Standard · Search radius", "Weight · Call center", "Storm mode · Switch on at".</summary>
    public static string Label(string entity, string key, string field)
    {
        if (entity == RuleCatalog.OverrideEntity) return "Storm mode · override";
        string group = entity switch
        {
            RuleCatalog.RuleEntity => RuleCatalog.RuleSets.FirstOrDefault(r => r.Key == key).Title ?? key,
            RuleCatalog.WeightEntity => "Weight · " + (RuleCatalog.Sources.FirstOrDefault(r => r.Key == key).Title ?? key),
            _ => "Storm mode",
        };
        if (entity == RuleCatalog.WeightEntity) return group;
        return RuleCatalog.TryGet(RuleCatalog.Id(entity, key, field), out var s) ? $"{group} · {s.Label}" : $"{group} · {field}";
    }

    /// <summary>An audit value with its unit ("1500 m"), or as stored when the setting is unknown.</summary>
    public static string Display(string entity, string key, string field, string? value)
    {
        if (value is null) return "—";
        return RuleCatalog.TryGet(RuleCatalog.Id(entity, key, field), out var s)
            && decimal.TryParse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? s.Display(number) : value;
    }
}
