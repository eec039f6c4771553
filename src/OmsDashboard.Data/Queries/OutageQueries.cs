using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace OmsDashboard.Data.Queries;

/// <summary>An outage as the API and the push show it (contract §4).</summary>
public sealed record OutageItem(
    Guid Id,
    string EventId,
    string Status,
    string Severity,
    decimal Confidence,
    string? DeviceId,
    string? DeviceKind,
    string? FeederId,
    string? SubstationId,
    int AffectedCustomers,
    DateTimeOffset FirstDetectedAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? RestoredAt,
    DateTimeOffset? Etr,
    IReadOnlyDictionary<string, int> SourceCounts,
    double? Lat,
    double? Lon,
    Guid? ParentOutageId,
    Guid? MergedIntoId,
    bool HasHazard);

public sealed record OutageSource(string Source, string Type, string SourceId, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt, decimal Weight, string? CustomerId, string? AssetId);

public sealed record OutageTimelineEntry(DateTimeOffset At, string Type, string? From, string? To, string Description, string Actor);

public sealed record OutageDetail(OutageItem Outage, IReadOnlyList<OutageSource> Sources, IReadOnlyList<OutageTimelineEntry> Timeline, JsonElement? Explanation);

public sealed record OutagePage(long Total, IReadOnlyList<OutageItem> Items);

/// <summary>Where a keyset page of outages ends: the last row's sort key.</summary>
public sealed record OutageCursor(DateTimeOffset FirstDetectedAt, string EventId)
{
    public static OutageCursor After(OutageItem last) => new(last.FirstDetectedAt, last.EventId);
}

public sealed record OutageFilter(string Status = "active", string? Feeder = null, DateTimeOffset? Since = null, int Page = 1, int PageSize = 100);

public sealed record KpiSnapshot(long ActiveOutages, long CustomersOut);

/// <summary>Read models of outages (raw SQL: lists of tens of thousands in a storm).</summary>
public sealed class OutageQueries(NpgsqlDataSource dataSource)
{
    public static readonly string[] ActiveStatuses = ["unconfirmed", "probable", "confirmed"];
    public static readonly string[] RestoredStatuses = ["restored", "momentary"];

    /// <summary>The outage object's columns (ordinals 0–22, read by <see cref="ReadItem"/>); callers may add columns after them.</summary>
    internal const string Select = """
        SELECT o.id, o.event_id, o.status, o.severity, o.confidence_score, o.device_id, o.device_kind, o.feeder_id,
               o.substation_id, o.affected_customers_count, o.first_detected_at, o.confirmed_at, o.restored_at, o.etr,
               ST_Y(o.location::geometry), ST_X(o.location::geometry), o.parent_outage_id, o.merged_into_id, o.has_hazard,
               coalesce(c.scada, 0), coalesce(c.kaifa, 0), coalesce(c.onu, 0), coalesce(c.callcenter, 0)
          FROM oms_outage_events o
          LEFT JOIN LATERAL (
              SELECT count(*) FILTER (WHERE source_type = 'scada') AS scada, count(*) FILTER (WHERE source_type = 'kaifa') AS kaifa,
                     count(*) FILTER (WHERE source_type = 'onu') AS onu, count(*) FILTER (WHERE source_type = 'callcenter') AS callcenter
                FROM oms_event_sources es WHERE es.outage_event_id = o.id) c ON true


        """;

    private const string FilterWhere = """
        WHERE (@statuses::text[] IS NULL OR o.status = ANY(@statuses))
          AND (@feeder::text IS NULL OR o.feeder_id = @feeder)
          AND (@since::timestamptz IS NULL OR o.first_detected_at >= @since)
        """;

    /// <summary>
    /// One numbered page and the total, as <c>GET /api/oms/outages</c> defines them (contract §4:
    /// <c>page</c>, <c>pageSize</c>, <c>total</c>). That contract is what keeps OFFSET here: a page
    /// number cannot be turned into a keyset cursor. Screens that read a long list from start to
    /// end use <see cref="ListAfterAsync"/>, which neither skips rows nor re-reads the ones before.
    /// </summary>
    public async Task<OutagePage> ListAsync(OutageFilter filter, CancellationToken ct = default)
    {
        string[]? statuses = StatusesOf(filter);
        const string where = FilterWhere;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM oms_outage_events o " + where, connection))
        {
            AddFilter(count, statuses, filter);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        await using var cmd = new NpgsqlCommand(Select + " " + where + " ORDER BY o.first_detected_at DESC, o.event_id DESC LIMIT @limit OFFSET @offset", connection);
        AddFilter(cmd, statuses, filter);
        cmd.Parameters.AddWithValue("limit", filter.PageSize);
        cmd.Parameters.AddWithValue("offset", (long)(filter.Page - 1) * filter.PageSize);
        return new OutagePage(total, await ReadItems(cmd, ct));
    }

    /// <summary>
    /// Up to <paramref name="limit"/> outages of <paramref name="filter"/> (its page fields are not
    /// used) that come after <paramref name="after"/> in the list's order (first detected, then
    /// event id, both descending); null starts at the top. Keyset paging: each page costs the same
    /// however deep it is, and an outage created while a screen reads the list page by page cannot
    /// shift a row into the page already read (as OFFSET would, reading it twice or never).
    /// </summary>
    public async Task<IReadOnlyList<OutageItem>> ListAfterAsync(OutageFilter filter, OutageCursor? after, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // Row comparison on (first_detected_at, event_id) walks idx_oms_outage_events_active_order
        // (migration OutageDetailIndexes) for the active list.
        await using var cmd = dataSource.CreateCommand(Select + " " + FilterWhere + """

              AND (@afterAt::timestamptz IS NULL OR (o.first_detected_at, o.event_id) < (@afterAt, @afterEvent))
            ORDER BY o.first_detected_at DESC, o.event_id DESC LIMIT @limit
            """);
        AddFilter(cmd, StatusesOf(filter), filter);
        cmd.Parameters.Add(new NpgsqlParameter("afterAt", NpgsqlDbType.TimestampTz) { Value = (object?)after?.FirstDetectedAt ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("afterEvent", NpgsqlDbType.Text) { Value = (object?)after?.EventId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", limit);
        return await ReadItems(cmd, ct);
    }

    private static string[]? StatusesOf(OutageFilter filter) => filter.Status switch
    {
        "active" => ActiveStatuses,
        "restored" => RestoredStatuses,
        _ => null,
    };

    private static void AddFilter(NpgsqlCommand cmd, string[]? statuses, OutageFilter filter)
    {
        cmd.Parameters.Add(new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)statuses ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("feeder", NpgsqlDbType.Text) { Value = (object?)filter.Feeder ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("since", NpgsqlDbType.TimestampTz) { Value = (object?)filter.Since ?? DBNull.Value });
    }

    public async Task<IReadOnlyList<OutageItem>> GetManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return [];
        await using var cmd = dataSource.CreateCommand(Select + " WHERE o.id = ANY(@ids)");
        cmd.Parameters.AddWithValue("ids", ids.ToArray());
        return await ReadItems(cmd, ct);
    }

    /// <summary>An outage by its id or its event id (<c>OUT-…</c>), with sources, timeline and explanation.</summary>
    public async Task<OutageDetail?> GetAsync(string idOrEventId, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        OutageItem? item;
        JsonElement? explanation = null;
        // One indexed lookup, by primary key or by the unique event id (an OR of both, with the id
        // cast to text, would read the whole table).
        bool byId = Guid.TryParse(idOrEventId, out var guid);
        await using (var cmd = new NpgsqlCommand(Select + (byId ? " WHERE o.id = @key" : " WHERE o.event_id = @key"), connection))
        {
            cmd.Parameters.AddWithValue("key", byId ? guid : idOrEventId);
            item = (await ReadItems(cmd, ct)).FirstOrDefault();
        }
        if (item is null) return null;
        await using (var cmd = new NpgsqlCommand("SELECT explanation FROM oms_outage_events WHERE id = @id", connection))
        {
            cmd.Parameters.AddWithValue("id", item.Id);
            if (await cmd.ExecuteScalarAsync(ct) is string json) explanation = JsonDocument.Parse(json).RootElement.Clone();
        }
        var sources = new List<OutageSource>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT source_type, signal_type, source_event_id, detected_at, received_at, weight, customer_id, asset_id
              FROM oms_event_sources WHERE outage_event_id = @id ORDER BY detected_at, source_type, source_event_id
            """, connection))
        {
            cmd.Parameters.AddWithValue("id", item.Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                sources.Add(new OutageSource(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4),
                    r.GetDecimal(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)));
            }
        }
        var timeline = new List<OutageTimelineEntry>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT occurred_at, entry_type, from_status, to_status, description, actor FROM oms_event_timeline WHERE outage_event_id = @id ORDER BY occurred_at, id
            """, connection))
        {
            cmd.Parameters.AddWithValue("id", item.Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                timeline.Add(new OutageTimelineEntry(r.GetFieldValue<DateTimeOffset>(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5)));
            }
        }
        return new OutageDetail(item, sources, timeline, explanation);
    }

    public async Task<KpiSnapshot> KpisAsync(CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT count(*), coalesce(sum(affected_customers_count), 0) FROM oms_outage_events WHERE status = ANY(@statuses)");
        cmd.Parameters.AddWithValue("statuses", ActiveStatuses);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new KpiSnapshot(r.GetInt64(0), r.GetInt64(1));
    }

    private static async Task<List<OutageItem>> ReadItems(NpgsqlCommand cmd, CancellationToken ct)
    {
        var items = new List<OutageItem>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            items.Add(ReadItem(r));
        }
        return items;
    }

    /// <summary>The outage object from the current row of a query that starts with <see cref="Select"/>.</summary>
    internal static OutageItem ReadItem(NpgsqlDataReader r)
    {
        T? N<T>(int i) where T : struct => r.IsDBNull(i) ? null : r.GetFieldValue<T>(i);
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new OutageItem(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDecimal(4), S(5), S(6), S(7), S(8),
            r.GetInt32(9), r.GetFieldValue<DateTimeOffset>(10), N<DateTimeOffset>(11), N<DateTimeOffset>(12), N<DateTimeOffset>(13),
            new Dictionary<string, int> { ["scada"] = (int)r.GetInt64(19), ["kaifa"] = (int)r.GetInt64(20), ["onu"] = (int)r.GetInt64(21), ["callcenter"] = (int)r.GetInt64(22) },
            N<double>(14), N<double>(15), N<Guid>(16), N<Guid>(17), r.GetBoolean(18));
    }
}
