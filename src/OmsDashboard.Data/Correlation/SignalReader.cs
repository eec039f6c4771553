using Npgsql;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Data.Correlation;

/// <summary>Reads stored signals of the four source tables as the engine's <see cref="Signal"/>s.</summary>
internal static class SignalReader
{
    private const string Columns = """
        SELECT 0 AS source, event_id, event_type, occurred_at, received_at, device_id, NULL::text, NULL::float8, NULL::float8 FROM scada_events WHERE {0}
        UNION ALL SELECT 1, event_id, event_type, occurred_at, received_at, meter_id, NULL, NULL, NULL FROM kaifa_events WHERE {0}
        UNION ALL SELECT 2, event_id, event_type, occurred_at, received_at, onu_id, NULL, NULL, NULL FROM onu_events WHERE {0}
        UNION ALL SELECT 3, ticket_id, category, occurred_at, received_at, NULL, account_number,
                         ST_Y(location::geometry), ST_X(location::geometry) FROM callcenter_tickets WHERE {0}
        """;

    /// <summary>Signals in a correlation state, oldest first (event time), at most <paramref name="limit"/>.</summary>
    public static async Task<List<Signal>> ReadAsync(NpgsqlConnection connection, string states, int limit, CancellationToken ct)
    {
        string sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, Columns, $"correlation_state IN ({states})")
            + $" ORDER BY occurred_at, source, event_id LIMIT {limit}";
        var result = new List<Signal>();
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var source = (SourceSystem)reader.GetInt32(0);
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
        return result;
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
