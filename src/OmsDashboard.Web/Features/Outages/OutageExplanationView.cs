using System.Globalization;
using System.Text.Json;
using OmsDashboard.Web.Features.Shared;

namespace OmsDashboard.Web.Features.Outages;

/// <summary>One source's share of the confidence: <c>1 − (1 − weight)^(1 + log2 signals)</c>.</summary>
public sealed record ConfidencePartView(string Source, int Signals, double Weight, double Exponent, double Contribution)
{
    public string Label => OutageLabels.SourceLabel(Source);

    public string ContributionText => Pct(Contribution);

    /// <summary>"27 × 0.80, exponent 1 + log2 27 = 5.75".</summary>
    public string Formula => string.Create(CultureInfo.InvariantCulture,
        $"{Signals} {OutageLabels.SignalNoun(Source, Signals)} · weight {Weight:0.00} · exponent 1 + log₂ {Signals} = {Exponent:0.00}");

    /// <summary>A share as a percentage; near-certainty is not rounded up to a certainty it is not ("&gt; 99.9 %").</summary>
    internal static string Pct(double share) => share switch
    {
        >= 0.9995 and < 1 => "> 99.9 %",
        > 0.995 and < 1 => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %",
        _ => (share * 100).ToString("0", CultureInfo.InvariantCulture) + " %",
    };
}

/// <summary>A rule of the prediction and whether it decided this outage, with its numbers in words.</summary>
/// <param name="Code"><c>lockout, n_of_m, percentage, children_out, negative_evidence, service</c>.</param>
public sealed record RuleView(string Code, string Title, string Detail, bool Fired);

/// <summary>
/// The engine's explanation (stored as JSON on the outage, docs/decisions/0005) read for people:
/// the words it wrote, the confidence's parts, and the rule-by-rule reading of its numbers. Reading
/// is tolerant: a field the engine stops writing leaves its line out instead of breaking the page.
/// </summary>
public sealed record OutageExplanationView(
    string Rule,
    string RuleSet,
    string Text,
    int CustomersDownstream,
    int DarkCustomers,
    int LiveCustomers,
    int SilentCustomers,
    double? ChosenCost,
    double? SplitCost,
    double? ParentCost,
    IReadOnlyList<ConfidencePartView> Parts,
    IReadOnlyList<RuleView> Rules)
{
    private static readonly string[] SourceByNumber = ["scada", "kaifa", "onu", "callcenter"];

    /// <summary>The noisy-OR of the parts: 1 − Π (1 − part).</summary>
    public double Combined => 1 - Parts.Aggregate(1.0, (miss, p) => miss * (1 - p.Contribution));

    public string CombinedText => ConfidencePartView.Pct(Combined);

    public bool IsStorm => string.Equals(RuleSet, "storm", StringComparison.OrdinalIgnoreCase);

    /// <summary>The explanation in <paramref name="json"/>, or null when there is none (outages of the SQL baseline).</summary>
    public static OutageExplanationView? From(JsonElement? json, string? deviceId)
    {
        if (json is not { ValueKind: JsonValueKind.Object } e)
        {
            return null;
        }
        string rule = Str(e, "rule") ?? "roll_up";
        int downstream = Int(e, "customersDownstream"), dark = Int(e, "darkCustomers"), live = Int(e, "liveCustomers"), silent = Int(e, "silentCustomers");
        double? chosen = Num(e, "chosenCost"), split = Num(e, "splitCost"), parentCost = Num(e, "parentCost");
        var parts = new List<ConfidencePartView>();
        if (e.TryGetProperty("confidence", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var p in list.EnumerateArray())
            {
                parts.Add(new ConfidencePartView(SourceOf(p), Int(p, "signals"), Num(p, "weight") ?? 0, Num(p, "exponent") ?? 1, Num(p, "contribution") ?? 0));
            }
        }
        // The order operators are used to; the engine lists sources in its own enum order.
        parts.Sort((a, b) => Index(a.Source).CompareTo(Index(b.Source)));
        var path = e.TryGetProperty("pathToSubstation", out var pathJson) && pathJson.ValueKind == JsonValueKind.Array
            ? pathJson.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];
        string device = OutageLabels.ShortId(deviceId ?? path.FirstOrDefault());
        string parent = path.Count > 1 ? OutageLabels.ShortId(path[1]) : "the device above";
        return new OutageExplanationView(rule, Str(e, "ruleSet") ?? "standard", Str(e, "text") ?? "", downstream, dark, live, silent,
            chosen, split, parentCost, parts, RulesOf(rule, device, parent, downstream, dark, live, silent, chosen, split, parentCost));
    }

    /// <summary>
    /// The rule types operators know (domain.md) read from the engine's numbers. The engine decides
    /// by one cost (docs/decisions/0005), so these are not separate switches: each says which of
    /// the familiar rules the numbers amount to, and which did not come into it.
    /// </summary>
    private static List<RuleView> RulesOf(string rule, string device, string parent, int downstream, int dark, int live, int silent,
        double? chosen, double? split, double? parentCost)
    {
        var inv = CultureInfo.InvariantCulture;
        var rules = new List<RuleView>
        {
            new("lockout", "SCADA lockout",
                rule == "scada_lockout"
                    ? $"SCADA reports {device} open: a confirmed outage of everything below it ({downstream:N0} customers), absorbing any prediction under it."
                    : "No telemetered device reported open above these customers.",
                rule == "scada_lockout"),
        };
        if (rule == "service")
        {
            rules.Add(new("service", "Single service",
                "One customer reports no power and no neighbour on the same transformer does: a service-drop outage, not a device.", true));
        }
        else
        {
            rules.Add(new("n_of_m", "N of M reporting",
                string.Create(inv, $"{dark:N0} of {downstream:N0} customers below {device} report no power."), dark >= 2));
            double share = downstream > 0 ? (double)dark / downstream : 0;
            rules.Add(new("percentage", "Percentage reporting",
                string.Create(inv, $"{ConfidencePartView.Pct(share)} of the customers below {device} report out; {silent:N0} are silent (a silent meter is weak evidence, a silent ONU strong)."),
                dark > 0));
            rules.Add(new("children_out", "Children out → parent",
                split is { } s && chosen is { } c
                    ? string.Create(inv, $"Explaining the reports by separate devices below {device} would cost {s:0.0} against {c:0.0} for {device} alone: the prediction moves up to {device}.")
                    : $"Nothing below {device} explains the reports more cheaply on its own.",
                split is not null && chosen is not null && split > chosen));
        }
        rules.Add(new("negative_evidence", "Negative evidence",
            live > 0
                ? string.Create(inv, $"{live:N0} customers below {device} report power: they keep the prediction from moving further up.")
                : parentCost is { } pc
                    ? string.Create(inv, $"{parent} above would leave more customers silent (cost {pc:0.0}{(chosen is { } ch ? $" against {ch:0.0}" : "")}): the prediction stays at {device}.")
                    : "No customer below reports power.",
            live > 0 || (parentCost is { } p && chosen is { } ch2 && p > ch2)));
        return rules;
    }

    private static string SourceOf(JsonElement p)
    {
        if (!p.TryGetProperty("source", out var s))
        {
            return "";
        }
        // The engine's enum is written as its number today (JsonSerializerDefaults.Web); a name is read too.
        if (s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out int n) && n >= 0 && n < SourceByNumber.Length)
        {
            return SourceByNumber[n];
        }
        return s.ValueKind == JsonValueKind.String ? (s.GetString() ?? "").ToLowerInvariant() : "";
    }

    private static int Index(string source)
    {
        int i = Array.IndexOf(SourceByNumber, source);
        return i < 0 ? int.MaxValue : i;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static int Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : 0;
}
