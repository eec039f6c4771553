using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Data.Polling;
using OmsDashboard.Web.Ingestion;

namespace OmsDashboard.Web.Polling;

/// <summary>
/// Pulls pages of rows from a table (or a query) in another PostgreSQL database, in keyset order
/// of (cursor column, key column): <c>WHERE (cursor, key) &gt; (last cursor, last key) ORDER BY
/// cursor, key LIMIT n</c>. The pair is unique per row, so rows that share a cursor value (two
/// tickets in the same microsecond) are neither skipped nor read twice at a page boundary. Each
/// row is written as a contract §2 JSON record and goes through <see cref="SignalBatchParser"/>,
/// exactly as a pushed record does. One data source per poller, kept for the process.
/// </summary>
public sealed class TableFeedReader(TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);

    internal async Task<PulledPage> PullAsync(PolledSourceOptions source, SignalSchema schema, string? cursor, CancellationToken ct)
    {
        var plan = Plan.For(source, schema);
        var after = cursor is null ? null : TableCursor.Parse(cursor, source.Name);
        var dataSource = _sources.GetOrAdd(source.Name, _ => NpgsqlDataSource.Create(source.ConnectionString!));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(source.Timeout);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        var keys = new List<string>();
        TableCursor? last = null;
        int count = 0;
        DateTimeOffset arrival;
        try
        {
            await using var cmd = dataSource.CreateCommand(after is null ? plan.First : plan.After);
            cmd.CommandTimeout = 0; // the linked token bounds it
            cmd.Parameters.AddWithValue("limit", source.BatchSize);
            if (after is not null)
            {
                cmd.Parameters.Add(after.At.Parameter("at"));
                cmd.Parameters.Add(after.Key.Parameter("key"));
            }
            await using var reader = await cmd.ExecuteReaderAsync(timeout.Token);
            arrival = time.GetUtcNow();
            using var json = new Utf8JsonWriter(buffer);
            json.WriteStartArray();
            while (await reader.ReadAsync(timeout.Token))
            {
                json.WriteStartObject();
                for (int i = 0; i < plan.Fields.Count; i++)
                {
                    json.WritePropertyName(plan.Fields[i]);
                    WriteValue(json, reader.GetValue(i));
                }
                json.WriteEndObject();
                last = new TableCursor(CursorValue.From(reader.GetValue(plan.Fields.Count), source.CursorColumn!),
                    CursorValue.From(reader.GetValue(plan.Fields.Count + 1), plan.KeyColumn));
                keys.Add(last.Key.Text);
                count++;
            }
            json.WriteEndArray();
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new PollingException($"{plan.Where}: the query timed out after {source.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s", transient: true, e);
        }
        catch (PostgresException e)
        {
            // A server's answer: transient when it says so (shutting down, too many connections, …), else a bad table or mapping.
            throw new PollingException($"{plan.Where}: {e.MessageText}{(e.Hint is null ? "" : " — " + e.Hint)} ({e.SqlState})", e.IsTransient, e);
        }
        catch (NpgsqlException e)
        {
            throw new PollingException($"{plan.Where}: {e.Message}", transient: true, e);
        }
        if (count == 0)
        {
            return PulledPage.Empty with { Next = cursor };
        }
        var batch = SignalBatchParser.Parse(buffer.WrittenSpan, schema, arrival);
        var rejections = batch.Rejected
            .Select(r => new PolledRejection($"{plan.Where} row {plan.KeyColumn}={keys[r.Index]}", r.Id, r.Errors))
            .ToList();
        return new PulledPage(batch, rejections, last!.ToString(), count, MoreWaiting: count >= source.BatchSize);
    }

    private static void WriteValue(Utf8JsonWriter json, object value)
    {
        switch (value)
        {
            case DBNull: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            // timestamptz comes as UTC; a timestamp without a zone is written without an offset,
            // and the parser rejects it by name (whose local time would it be?).
            case DateTime { Kind: DateTimeKind.Utc } t: json.WriteStringValue(new DateTimeOffset(t)); break;
            case DateTime t: json.WriteStringValue(t.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset t: json.WriteStringValue(t); break;
            case double d: json.WriteNumberValue(d); break;
            case float f: json.WriteNumberValue(f); break;
            case decimal m: json.WriteNumberValue(m); break;
            case long l: json.WriteNumberValue(l); break;
            case int n: json.WriteNumberValue(n); break;
            case short n: json.WriteNumberValue(n); break;
            case bool b: json.WriteBooleanValue(b); break;
            default: json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values)
        {
            await source.DisposeAsync();
        }
        _sources.Clear();
    }

    /// <summary>The two statements of a source (first page, page after a cursor) and the fields they read.</summary>
    private sealed record Plan(string First, string After, IReadOnlyList<string> Fields, string KeyColumn, string Where)
    {
        private static readonly ConcurrentDictionary<PolledSourceOptions, Plan> Plans = new();

        public static Plan For(PolledSourceOptions source, SignalSchema schema) => Plans.GetOrAdd(source, s => Build(s, schema));

        private static Plan Build(PolledSourceOptions source, SignalSchema schema)
        {
            var required = new[] { SignalField.Id, SignalField.Type, SignalField.Time };
            var fields = new List<string>();
            var select = new List<string>();
            string? idColumn = null;
            foreach (var (name, field) in schema.Fields)
            {
                string? column = source.Columns.TryGetValue(name, out var mapped) ? mapped
                    : required.Contains(field) ? SnakeCase(name) : null;
                if (column is null)
                {
                    continue; // optional and not mapped: absent
                }
                if (field == SignalField.Id)
                {
                    idColumn = column;
                }
                fields.Add(name);
                select.Add($"{Quote(column)} AS {Quote(name)}");
            }
            string cursor = Quote(source.CursorColumn!);
            string keyColumn = source.KeyColumn ?? idColumn!;
            string key = Quote(keyColumn);
            select.Add($"{cursor} AS \"__cursor\"");
            select.Add($"{key} AS \"__key\"");
            string from = source.Table is { Length: > 0 } table
                ? string.Join('.', table.Split('.').Select(Quote))
                : $"({source.Query}) AS polled";
            string head = $"SELECT {string.Join(", ", select)} FROM {from}";
            string tail = $"ORDER BY {cursor}, {key} LIMIT @limit";
            var where = new NpgsqlConnectionStringBuilder(source.ConnectionString);
            return new Plan($"{head} {tail}", $"{head} WHERE ({cursor}, {key}) > (@at, @key) {tail}", fields, keyColumn,
                $"postgres {where.Host}/{where.Database} {(source.Table is { Length: > 0 } ? source.Table : "query")}");
        }

        private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

        private static string SnakeCase(string name)
        {
            var sb = new StringBuilder(name.Length + 4);
            foreach (char c in name)
            {
                if (char.IsUpper(c))
                {
                    sb.Append('_').Append(char.ToLowerInvariant(c));
                }
                else
                {
                    sb.Append(c);
                }
            }
            return sb.ToString();
        }
    }
}

/// <summary>
/// A table poller's cursor: the last row's (cursor value, key value), each with its PostgreSQL
/// type so the next query compares like with like. Stored as JSON text in <c>oms_source_pollers.cursor</c>.
/// </summary>
internal sealed record TableCursor(CursorValue At, CursorValue Key)
{
    public override string ToString() => new JsonObject
    {
        ["at"] = new JsonObject { ["type"] = At.Type, ["value"] = At.Text },
        ["key"] = new JsonObject { ["type"] = Key.Type, ["value"] = Key.Text },
    }.ToJsonString();

    public static TableCursor Parse(string text, string poller)
    {
        try
        {
            var node = JsonNode.Parse(text)!.AsObject();
            return new TableCursor(Value(node["at"]!), Value(node["key"]!));
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new PollingException($"poller '{poller}': its stored cursor {text} is not a table cursor (was the source changed from http to postgres? give it a new name)", transient: false, e);
        }

        static CursorValue Value(JsonNode n) => new((string)n["type"]!, (string)n["value"]!);
    }
}

/// <summary>One typed value of a cursor, kept as invariant text that round-trips exactly.</summary>
internal sealed record CursorValue(string Type, string Text)
{
    public static CursorValue From(object value, string column) => value switch
    {
        DateTime { Kind: DateTimeKind.Utc } t => new("timestamptz", t.ToString("O", CultureInfo.InvariantCulture)),
        DateTime t => new("timestamp", t.ToString("O", CultureInfo.InvariantCulture)),
        DateTimeOffset t => new("timestamptz", t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
        long l => new("bigint", l.ToString(CultureInfo.InvariantCulture)),
        int n => new("integer", n.ToString(CultureInfo.InvariantCulture)),
        short n => new("smallint", n.ToString(CultureInfo.InvariantCulture)),
        decimal m => new("numeric", m.ToString(CultureInfo.InvariantCulture)),
        string s => new("text", s),
        Guid g => new("uuid", g.ToString()),
        DBNull => throw new PollingException($"column {column} is null in a row: cursor and key columns must never be null", transient: false),
        _ => throw new PollingException($"column {column} is of type {value.GetType().Name}: a cursor or key column must be a timestamp, an integer, numeric, text or uuid", transient: false),
    };

    public NpgsqlParameter Parameter(string name) => Type switch
    {
        "timestamptz" => new(name, NpgsqlDbType.TimestampTz) { Value = DateTime.Parse(Text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) },
        "timestamp" => new(name, NpgsqlDbType.Timestamp) { Value = DateTime.Parse(Text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) },
        "bigint" => new(name, NpgsqlDbType.Bigint) { Value = long.Parse(Text, CultureInfo.InvariantCulture) },
        "integer" => new(name, NpgsqlDbType.Integer) { Value = int.Parse(Text, CultureInfo.InvariantCulture) },
        "smallint" => new(name, NpgsqlDbType.Smallint) { Value = short.Parse(Text, CultureInfo.InvariantCulture) },
        "numeric" => new(name, NpgsqlDbType.Numeric) { Value = decimal.Parse(Text, CultureInfo.InvariantCulture) },
        "text" => new(name, NpgsqlDbType.Text) { Value = Text },
        "uuid" => new(name, NpgsqlDbType.Uuid) { Value = Guid.Parse(Text) },
        _ => throw new PollingException($"a stored cursor has the unknown type '{Type}'", transient: false),
    };
}
