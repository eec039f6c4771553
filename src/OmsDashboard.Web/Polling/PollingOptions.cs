using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OmsDashboard.Data.Entities;
using OmsDashboard.Web.Ingestion;

namespace OmsDashboard.Web.Polling;

/// <summary>
/// Settings of <c>Oms:Polling</c>: the source systems that do not push, pulled by recurring jobs
/// (docs/decisions/0009). No sources, no polling jobs.
/// </summary>
public sealed class PollingOptions
{
    public const string Section = "Oms:Polling";

    public List<PolledSourceOptions> Sources { get; set; } = [];

    /// <summary>Tries of one page against transient failures (5xx, timeouts, refused connections) before the run fails. Defaults to 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The first retry's delay; each next one doubles, up to <see cref="RetryMaxDelay"/>, with jitter. Defaults to 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Pages one run pulls at most; a feed with more waiting is caught up by the next runs, so one
    /// source cannot hold a Hangfire worker for ever. Defaults to 100.
    /// </summary>
    public int MaxPagesPerRun { get; set; } = 100;

    public PolledSourceOptions? Find(string name) => Sources.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}

/// <summary>One polled source: <c>Oms:Polling:Sources:n</c>.</summary>
public sealed class PolledSourceOptions
{
    /// <summary>Unique name (letters, digits, <c>-</c>, <c>_</c>): the key of its cursor and health, and of its recurring job.</summary>
    public string Name { get; set; } = "";

    /// <summary>Whose records it pulls: <c>scada</c>, <c>kaifa</c>, <c>onu</c> or <c>callcenter</c> (contract §2 shapes).</summary>
    public string Source { get; set; } = "";

    /// <summary><c>http</c> (a JSON feed, docs/polling-feeds.md) or <c>postgres</c> (a table or query in another database).</summary>
    public string Kind { get; set; } = "";

    /// <summary>http: the feed URL; the poller adds <c>after</c> and <c>limit</c> to its query.</summary>
    public string? Url { get; set; }

    /// <summary>http: request headers, e.g. the feed's own API key.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>postgres: the other database.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>postgres: the table (or <c>schema.table</c>) to read; or set <see cref="Query"/>.</summary>
    public string? Table { get; set; }

    /// <summary>postgres: a SELECT to read from instead of a table (the poller wraps it and adds the cursor condition).</summary>
    public string? Query { get; set; }

    /// <summary>
    /// postgres: contract field → column. The id, type and time fields default to their snake_case
    /// names (<c>ticketId</c> → <c>ticket_id</c>); optional fields are read only when mapped.
    /// </summary>
    public Dictionary<string, string> Columns { get; set; } = new(StringComparer.Ordinal);

    /// <summary>postgres: the column rows are pulled in order of (e.g. <c>updated_at</c> or an increasing id).</summary>
    public string? CursorColumn { get; set; }

    /// <summary>postgres: the tie-breaker after <see cref="CursorColumn"/>, unique per row. Defaults to the id field's column.</summary>
    public string? KeyColumn { get; set; }

    /// <summary>Records per page (1..10,000, the push API's batch limit). Defaults to 1,000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How often the recurring job runs: seconds that divide a minute, minutes that divide an hour, or hours that divide a day. Defaults to 1 minute.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>One request or query, at most. Defaults to 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The Hangfire cron of <see cref="Interval"/>, or null when it cannot be one.</summary>
    public string? Cron()
    {
        var i = Interval;
        if (i <= TimeSpan.Zero || i.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return null;
        }
        long s = (long)i.TotalSeconds;
        string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        return s switch
        {
            < 60 when 60 % s == 0 => $"*/{N(s)} * * * * *",
            60 => "* * * * *",
            < 3600 when s % 60 == 0 && 60 % (s / 60) == 0 => $"*/{N(s / 60)} * * * *",
            3600 => "0 * * * *",
            <= 86_400 when s % 3600 == 0 && 24 % (s / 3600) == 0 => $"0 */{N(s / 3600)} * * *",
            _ => null,
        };
    }
}

/// <summary>Start-up validation of <see cref="PollingOptions"/>: each error names the setting.</summary>
public sealed partial class ValidatePollingOptions : IValidateOptions<PollingOptions>
{
    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$")]
    internal static partial Regex TablePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    internal static partial Regex ColumnPattern();

    public ValidateOptionsResult Validate(string? name, PollingOptions o)
    {
        var errors = new List<string>();
        const string S = PollingOptions.Section;
        if (o.MaxAttempts is < 1 or > 20) errors.Add($"{S}:MaxAttempts must be between 1 and 20; it is {o.MaxAttempts}.");
        if (o.RetryBaseDelay < TimeSpan.Zero || o.RetryBaseDelay > TimeSpan.FromMinutes(5)) errors.Add($"{S}:RetryBaseDelay must be between 00:00:00 and 00:05:00; it is {o.RetryBaseDelay}.");
        if (o.RetryMaxDelay < o.RetryBaseDelay || o.RetryMaxDelay > TimeSpan.FromMinutes(10)) errors.Add($"{S}:RetryMaxDelay must be between RetryBaseDelay and 00:10:00; it is {o.RetryMaxDelay}.");
        if (o.MaxPagesPerRun is < 1 or > 100_000) errors.Add($"{S}:MaxPagesPerRun must be between 1 and 100000; it is {o.MaxPagesPerRun}.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.Sources.Count; i++)
        {
            var s = o.Sources[i];
            string at = $"{S}:Sources:{i}";
            if (!NamePattern().IsMatch(s.Name ?? ""))
            {
                errors.Add($"{at}:Name must be 1 to 100 letters, digits, '-' or '_'; it is '{s.Name}'.");
            }
            else if (!names.Add(s.Name!))
            {
                errors.Add($"{at}:Name '{s.Name}' is used by another source: names key the cursor and must be unique.");
            }
            var schema = SignalSchema.Find(s.Source ?? "");
            if (schema is null) errors.Add($"{at}:Source must be scada, kaifa, onu or callcenter; it is '{s.Source}'.");
            if (s.BatchSize is < 1 or > IngestionOptions.MaxRecordsPerBatch) errors.Add($"{at}:BatchSize must be between 1 and {IngestionOptions.MaxRecordsPerBatch}; it is {s.BatchSize}.");
            if (s.Cron() is null) errors.Add($"{at}:Interval must be whole seconds dividing a minute, minutes dividing an hour, or hours dividing a day (00:00:15, 00:05:00, 06:00:00); it is {s.Interval}.");
            if (s.Timeout < TimeSpan.FromMilliseconds(100) || s.Timeout > TimeSpan.FromMinutes(10)) errors.Add($"{at}:Timeout must be between 00:00:00.1 and 00:10:00; it is {s.Timeout}.");
            switch (s.Kind)
            {
                case PollerKinds.Http:
                    if (!Uri.TryCreate(s.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                    {
                        errors.Add($"{at}:Url must be an absolute http or https URL; it is '{s.Url}'.");
                    }
                    break;
                case PollerKinds.Postgres:
                    if (string.IsNullOrWhiteSpace(s.ConnectionString)) errors.Add($"{at}:ConnectionString is required for a postgres source.");
                    bool table = !string.IsNullOrWhiteSpace(s.Table), query = !string.IsNullOrWhiteSpace(s.Query);
                    if (table == query) errors.Add($"{at}: set exactly one of Table and Query.");
                    if (table && !TablePattern().IsMatch(s.Table!)) errors.Add($"{at}:Table must be a plain name or schema.name (letters, digits, '_'); it is '{s.Table}'.");
                    if (string.IsNullOrWhiteSpace(s.CursorColumn)) errors.Add($"{at}:CursorColumn is required for a postgres source (e.g. updated_at, or an increasing id).");
                    else if (!ColumnPattern().IsMatch(s.CursorColumn)) errors.Add($"{at}:CursorColumn must be a plain column name; it is '{s.CursorColumn}'.");
                    if (s.KeyColumn is not null && !ColumnPattern().IsMatch(s.KeyColumn)) errors.Add($"{at}:KeyColumn must be a plain column name; it is '{s.KeyColumn}'.");
                    foreach (var (field, column) in s.Columns)
                    {
                        if (schema is not null && !schema.Fields.Any(f => f.Name == field))
                        {
                            errors.Add($"{at}:Columns:{field} is not a field of {schema.Name} records ({string.Join(", ", schema.Fields.Select(f => f.Name))}).");
                        }
                        if (!ColumnPattern().IsMatch(column ?? ""))
                        {
                            errors.Add($"{at}:Columns:{field} must be a plain column name; it is '{column}'.");
                        }
                    }
                    break;
                default:
                    errors.Add($"{at}:Kind must be http or postgres; it is '{s.Kind}'.");
                    break;
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
