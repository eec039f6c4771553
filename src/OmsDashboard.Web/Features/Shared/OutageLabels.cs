using System.Globalization;

namespace OmsDashboard.Web.Features.Shared;

/// <summary>
/// What the screens print for an outage's status, severity and sources, and the CSS classes that
/// colour them (wwwroot/css/app.css, <c>oms-sev-*</c> and <c>oms-status-*</c>): the grid's chips,
/// the map's markers and, later, the detail page share one vocabulary and one palette.
/// </summary>
public static class OutageLabels
{
    /// <summary>The contract's severities, least to most severe.</summary>
    public static IReadOnlyList<string> Severities { get; } = ["low", "medium", "high", "critical"];

    /// <summary>The active statuses, least to most certain.</summary>
    public static IReadOnlyList<string> ActiveStatuses { get; } = ["unconfirmed", "probable", "confirmed"];

    /// <summary>The four sources in the order the screens list them.</summary>
    public static IReadOnlyList<string> Sources { get; } = ["scada", "kaifa", "onu", "callcenter"];

    /// <summary>0 (low) to 3 (critical); an unknown severity ranks below low.</summary>
    public static int SeverityRank(string severity) => IndexOf(Severities, severity);

    /// <summary>0 (unconfirmed) to 2 (confirmed); a status that is no longer active ranks below them.</summary>
    public static int StatusRank(string status) => IndexOf(ActiveStatuses, status);

    /// <summary>The word shown: the wire value capitalised (<c>callcenter</c> has its own, see <see cref="SourceLabel"/>).</summary>
    public static string Label(string value) =>
        string.IsNullOrEmpty(value) ? "–" : char.ToUpperInvariant(value[0]) + value[1..];

    public static string SeverityClass(string severity) => "oms-sev-" + Css(severity);

    public static string StatusClass(string status) => "oms-status-" + Css(status);

    /// <summary>The source's name for an operator (the wire names are <c>scada, kaifa, onu, callcenter</c>).</summary>
    public static string SourceLabel(string source) => source switch
    {
        "scada" => "SCADA",
        "kaifa" => "Smart meters",
        "onu" => "Fiber ONUs",
        "callcenter" => "Calls",
        _ => source,
    };

    /// <summary>What one signal of the source is called, for counts ("27 meter last gasps").</summary>
    public static string SignalNoun(string source, int count) => source switch
    {
        "scada" => count == 1 ? "SCADA operation" : "SCADA operations",
        "kaifa" => count == 1 ? "meter last gasp" : "meter last gasps",
        "onu" => count == 1 ? "ONU dying gasp" : "ONU dying gasps",
        "callcenter" => count == 1 ? "call" : "calls",
        _ => source,
    };

    /// <summary>Confidence 0..1 as a whole percentage ("93 %"), as the Network page prints shares.</summary>
    public static string Percent(decimal confidence) =>
        (confidence * 100m).ToString("F0", CultureInfo.InvariantCulture) + " %";

    /// <summary>
    /// The id an operator reads: the importer's ids carry a kind prefix (<c>FUS:LN5985355-3</c>) that
    /// the kind beside it already says. The Network page's feeder ids use it too.
    /// </summary>
    public static string ShortId(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "–";
        }
        int colon = id.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && colon < id.Length - 1 ? id[(colon + 1)..] : id;
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    // Status and severity come from our own database, but a class name is no place for surprises.
    private static string Css(string value) =>
        string.Concat(value.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-')).ToLowerInvariant();
}
