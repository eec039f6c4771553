using Npgsql;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Data.Correlation;

/// <summary>
/// A position in each of the four source tables: a <c>seq</c> per table (indexed by
/// <see cref="SourceSystem"/>). Every row at or below it is meant.
/// </summary>
internal readonly record struct Watermarks(long Scada, long Kaifa, long Onu, long Callcenter)
{
    public long this[SourceSystem source] => source switch
    {
        SourceSystem.Scada => Scada,
        SourceSystem.Kaifa => Kaifa,
        SourceSystem.Onu => Onu,
        _ => Callcenter,
    };

    public Watermarks With(SourceSystem source, long seq) => source switch
    {
        SourceSystem.Scada => this with { Scada = seq },
        SourceSystem.Kaifa => this with { Kaifa = seq },
        SourceSystem.Onu => this with { Onu = seq },
        _ => this with { Callcenter = seq },
    };

    public static readonly Watermarks Start = new(0, 0, 0, 0);
}

/// <summary>Reads stored signals of the four source tables as the engine's <see cref="Signal"/>s.</summary>
internal static class SignalReader
{
    public static readonly SourceSystem[] Sources = [SourceSystem.Scada, SourceSystem.Kaifa, SourceSystem.Onu, SourceSystem.Callcenter];

    // {0}: the range filter; {1}: the per-table limit (each table is cut in seq order, so what is
    // left over above the limit is exactly what the next pass reads).
    private const string Columns = """
        SELECT * FROM (
          (SELECT 0 AS source, event_id, event_type, occurred_at, received_at, device_id, NULL::text, NULL::float8, NULL::float8, seq
             FROM scada_events WHERE seq > $1 AND seq <= $5 ORDER BY seq {0})
          UNION ALL (SELECT 1, event_id, event_type, occurred_at, received_at, meter_id, NULL, NULL, NULL, seq
             FROM kaifa_events WHERE seq > $2 AND seq <= $6 ORDER BY seq {0})
          UNION ALL (SELECT 2, event_id, event_type, occurred_at, received_at, onu_id, NULL, NULL, NULL, seq
             FROM onu_events WHERE seq > $3 AND seq <= $7 ORDER BY seq {0})
          UNION ALL (SELECT 3, ticket_id, category, occurred_at, received_at, NULL, account_number,
                            ST_Y(location::geometry), ST_X(location::geometry), seq
             FROM callcenter_tickets WHERE seq > $4 AND seq <= $8 ORDER BY seq {0})
        ) s ORDER BY occurred_at, source, event_id
        """;

    /// <summary>
    /// The signals above <paramref name="from"/> and at or below <paramref name="to"/>, oldest first
    /// (event time), at most <paramref name="limitPerTable"/> of each table (lowest seq first).
    /// Also returns how far each table was read: <paramref name="to"/>, or the last seq read where
    /// the limit cut a table short.
    /// </summary>
    public static async Task<(List<Signal> Signals, Watermarks ReadUntil)> ReadAsync(NpgsqlConnection connection,
        Watermarks from, Watermarks to, int limitPerTable, CancellationToken ct)
    {
        string limit = limitPerTable == int.MaxValue ? "" : $"LIMIT {limitPerTable}";
        string sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, Columns, limit);
        var result = new List<Signal>();
        var maxSeq = new long[4];
        var count = new int[4];
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var s in Sources) cmd.Parameters.Add(new NpgsqlParameter { Value = from[s] });
        foreach (var s in Sources) cmd.Parameters.Add(new NpgsqlParameter { Value = to[s] });
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var source = (SourceSystem)reader.GetInt32(0);
                long seq = reader.GetInt64(9);
                count[(int)source]++;
                if (seq > maxSeq[(int)source]) maxSeq[(int)source] = seq;
                if (!SignalTypes.TryParse(source, reader.GetString(2), out var type))
                {
                    continue; // the tables' check constraints make this unreachable
                }
                result.Add(new Signal(source, reader.GetString(1), type,
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetDouble(7),
                    reader.IsDBNull(8) ? null : reader.GetDouble(8)));
            }
        }
        var until = to;
        foreach (var s in Sources)
        {
            if (count[(int)s] >= limitPerTable) until = until.With(s, maxSeq[(int)s]);
        }
        return (result, until);
    }

    public static string Table(SourceSystem source) => source switch
    {
        SourceSystem.Scada => "scada_events",
        SourceSystem.Kaifa => "kaifa_events",
        SourceSystem.Onu => "onu_events",
        _ => "callcenter_tickets",
    };

    public static string IdColumn(SourceSystem source) => source == SourceSystem.Callcenter ? "ticket_id" : "event_id";
}
