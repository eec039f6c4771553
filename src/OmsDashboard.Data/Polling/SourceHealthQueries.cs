using Npgsql;

namespace OmsDashboard.Data.Polling;

/// <summary>A poller's stored state (<c>oms_source_pollers</c>), as the health endpoint and the dashboard read it.</summary>
public sealed record PollerHealth(
    string Name,
    string Source,
    string Kind,
    string? Cursor,
    DateTimeOffset? LastRecordAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? LastErrorAt,
    string? LastError,
    int ConsecutiveFailures,
    long RecordsTotal,
    long RejectedTotal,
    DateTimeOffset? LastRejectedAt,
    string? LastRejection)
{
    /// <summary><c>failing</c> while runs fail in a row, <c>pending</c> before the first good run, else <c>ok</c>.</summary>
    public string Status => ConsecutiveFailures > 0 ? PollerStatuses.Failing : LastSuccessAt is null ? PollerStatuses.Pending : PollerStatuses.Ok;
}

public static class PollerStatuses
{
    public const string Ok = "ok";
    public const string Failing = "failing";
    /// <summary>Configured but no run has succeeded yet (or none has run).</summary>
    public const string Pending = "pending";
}

/// <summary>
/// What a source table holds, whatever brought it (push or poll): the newest record's event time
/// and when the newest record was stored. Null when the table is empty.
/// </summary>
public sealed record SourceActivity(string Source, DateTimeOffset? LastRecordAt, DateTimeOffset? LastIngestedAt);

/// <summary>Source health for the API and the dashboard: the pollers' state and each source table's newest record.</summary>
public sealed class SourceHealthQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<PollerHealth>> PollersAsync(CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT name, source, kind, cursor, last_record_at, last_success_at, last_attempt_at, last_error_at, last_error,
                   consecutive_failures, records_total, rejected_total, last_rejected_at, last_rejection
              FROM oms_source_pollers ORDER BY name
            """);
        var list = new List<PollerHealth>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            list.Add(new PollerHealth(r.GetString(0), r.GetString(1), r.GetString(2), S(3), T(4), T(5), T(6), T(7), S(8),
                r.GetInt32(9), r.GetInt64(10), r.GetInt64(11), T(12), S(13)));
        }
        return list;
    }

    /// <summary>
    /// Each source table's newest event time (max over the <c>occurred_at</c> index) and the
    /// storing time of its newest row (by <c>seq</c>, also indexed): a few index probes per
    /// partition, cheap however large the tables grow.
    /// </summary>
    public async Task<IReadOnlyList<SourceActivity>> SourcesAsync(CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT 'scada', (SELECT max(occurred_at) FROM scada_events), (SELECT ingested_at FROM scada_events ORDER BY seq DESC LIMIT 1)
            UNION ALL
            SELECT 'kaifa', (SELECT max(occurred_at) FROM kaifa_events), (SELECT ingested_at FROM kaifa_events ORDER BY seq DESC LIMIT 1)
            UNION ALL
            SELECT 'onu', (SELECT max(occurred_at) FROM onu_events), (SELECT ingested_at FROM onu_events ORDER BY seq DESC LIMIT 1)
            UNION ALL
            SELECT 'callcenter', (SELECT max(occurred_at) FROM callcenter_tickets), (SELECT ingested_at FROM callcenter_tickets ORDER BY seq DESC LIMIT 1)
            """);
        var list = new List<SourceActivity>(4);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new SourceActivity(r.GetString(0),
                r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1),
                r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2)));
        }
        return list;
    }
}
