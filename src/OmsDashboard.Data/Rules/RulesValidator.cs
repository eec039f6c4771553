using System.Globalization;

namespace OmsDashboard.Data.Rules;

/// <summary>
/// The one validation of rule values, used by the form (field messages as the operator types) and
/// by <see cref="RulesStore"/> before it writes (so a tampered circuit cannot store bad values).
/// Errors are keyed by <see cref="SettingDefinition.Id"/>, or <see cref="ReasonKey"/>.
/// </summary>
public static class RulesValidator
{
    public const string ReasonKey = "reason";
    public const int ReasonMaxLength = 500;

    /// <summary>Checks every setting of <paramref name="values"/> (missing or null = empty field).</summary>
    public static Dictionary<string, string> Validate(IReadOnlyDictionary<string, decimal?> values)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in RuleCatalog.All)
        {
            if (ValidateOne(s, values.GetValueOrDefault(s.Id)) is { } error)
            {
                errors[s.Id] = error;
            }
        }
        string on = RuleCatalog.Id(RuleCatalog.StormEntity, RuleCatalog.StormKey, RuleCatalog.Activation);
        string off = RuleCatalog.Id(RuleCatalog.StormEntity, RuleCatalog.StormKey, RuleCatalog.Deactivation);
        if (!errors.ContainsKey(on) && !errors.ContainsKey(off)
            && values.GetValueOrDefault(on) is { } activation && values.GetValueOrDefault(off) is { } deactivation && deactivation >= activation)
        {
            errors[off] = $"Must be below the switch-on threshold ({activation.ToString("0", CultureInfo.InvariantCulture)} signals/h), or storm mode would switch off as soon as it switched on.";
        }
        return errors;
    }

    public static string? ValidateOne(SettingDefinition s, decimal? value)
    {
        if (value is not { } v)
        {
            return "Enter a value.";
        }
        if (v < s.Min || v > s.Max)
        {
            return $"Between {s.Display(s.Min)} and {s.Display(s.Max)}: {s.Why}.";
        }
        if (Math.Round(v, s.Decimals) != v)
        {
            return s.Decimals == 0 ? "A whole number, please." : $"At most {s.Decimals} decimals.";
        }
        return null;
    }

    /// <summary>The optional reason of a change; <paramref name="required"/> for a storm-mode override.</summary>
    public static string? ValidateReason(string? reason, bool required)
    {
        string text = reason?.Trim() ?? "";
        if (required && text.Length == 0)
        {
            return "Say why: the audit trail and the storm banner show it to everyone.";
        }
        return text.Length > ReasonMaxLength ? $"At most {ReasonMaxLength} characters." : null;
    }
}
