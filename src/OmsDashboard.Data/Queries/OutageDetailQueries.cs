using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace OmsDashboard.Data.Queries;

/// <summary>
/// Everything the outage page shows besides the outage object itself, read in one statement.
/// </summary>
/// <param name="MergedIntoEventId">The survivor's event id when this outage was merged into another.</param>
/// <param name="ParentEventId">The outage this one is nested in, by event id.</param>
/// <param name="Path">The predicted device, then every node above it up to its substation, in that order.</param>
/// <param name="EvidenceCounts">Signals attached, per source and type.</param>
/// <param name="Timeline">The newest timeline rows first (at most the limit asked for).</param>
/// <param name="TimelineTotal">All timeline rows of the outage.</param>
public sealed record OutageSummary(
    OutageItem Outage,
    string? MergedIntoEventId,
    string? ParentEventId,
    string? Cause,
    string? EtrSource,
    DateTimeOffset UpdatedAt,
    JsonElement? Explanation,
    IReadOnlyList<PathNode> Path,
    IReadOnlyList<EvidenceCount> EvidenceCounts,
    IReadOnlyList<OutageTimelineEntry> Timeline,
    int TimelineTotal);

/// <summary>A node on the way from the predicted device to the substation.</summary>
/// <param name="Kind">The topology kind (<c>customer, transformer, fuse, switch, recloser, feeder, substation</c>).</param>
public sealed record PathNode(string Id, string Kind, string? Name, string? Phase, bool Telemetered, double Lat, double Lon);

public sealed record EvidenceCount(string Source, string Type, int Count);

/// <summary>One signal attached to the outage, with the account of its customer when known.</summary>
public sealed record EvidenceRow(long Id, string Source, string Type, string SourceId, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt,
    decimal Weight, string? CustomerId, string? AssetId, string? AccountNumber);

/// <summary>Where a page of evidence ends (newest first): the last row's occurred time and id.</summary>
public sealed record EvidenceCursor(DateTimeOffset OccurredAt, long Id)
{
    public static EvidenceCursor After(EvidenceRow last) => new(last.OccurredAt, last.Id);
}

/// <param name="HasMore">Whether rows follow this page.</param>
public sealed record EvidencePage(IReadOnlyList<EvidenceRow> Items, bool HasMore);

/// <summary>A customer below the predicted device.</summary>
/// <param name="ReportedBy">The sources that reported this customer in this outage (empty: silent or with power).</param>
/// <param name="FirstReportedAt">The earliest of those reports.</param>
public sealed record AffectedCustomer(string Id, string AccountNumber, string Name, string TransformerId, string? Phase, string? MeterId, string? OnuId,
    IReadOnlyList<string> ReportedBy, DateTimeOffset? FirstReportedAt);

/// <param name="Total">Customers matching (below the device and the search), when asked for.</param>
public sealed record CustomerPage(IReadOnlyList<AffectedCustomer> Items, bool HasMore, long? Total);

/// <summary>Which customers: those below <paramref name="DeviceId"/> (of kind <paramref name="DeviceKind"/>, as the outage stores it).</summary>
/// <param name="Account">Part of an account number to look for, or null for all.</param>
/// <param name="After">The last customer id of the previous page (ids ascending), or null for the first page.</param>
public sealed record CustomerQuery(Guid OutageId, string DeviceId, string? DeviceKind, string? Account = null, string? After = null,
    int Limit = 25, bool WithTotal = false);

/// <summary>The part of the network an outage covers, for the map.</summary>
/// <param name="Segments">Lines below the device, each [fromLat, fromLon, toLat, toLon] (the node and its upstream node).</param>
/// <param name="Customers">Customers below the device (at most the limit asked for; those that reported first).</param>
/// <param name="CustomersBelow">All customers below the device.</param>
public sealed record OutageArea(IReadOnlyList<double[]> Segments, IReadOnlyList<AreaCustomer> Customers, int CustomersBelow);

public sealed record AreaCustomer(string Id, double Lat, double Lon, bool Reported);

/// <summary>
/// Read models of one outage for its page (raw SQL, one round trip per panel). What lies below the
/// predicted device is found by walking the device tree down from it (indexed on
/// <c>parent_device_id</c>); a feeder's or a transformer's customers are read by their own
/// indexed columns, so a feeder of 100,000 customers pages through an index, never a sort.
/// </summary>
public sealed class OutageDetailQueries(NpgsqlDataSource dataSource)
{
    /// <summary>Timeline rows read with the summary; an outage rarely has more than a few dozen.</summary>
    public const int TimelineLimit = 200;

    /// <summary>
    /// The outage by id or event id, with its path to the substation, explanation, evidence counts
    /// and newest timeline rows; null when there is no such outage.
    /// </summary>
    public async Task<OutageSummary?> GetSummaryAsync(string idOrEventId, int timelineLimit = TimelineLimit, CancellationToken ct = default)
    {
        bool byId = Guid.TryParse(idOrEventId, out var guid);
        // Every statement finds the outage by the same indexed key, so the batch needs no answer
        // from the first before sending the rest.
        string key = byId ? "o.id = @key" : "o.event_id = @key";
        await using var batch = dataSource.CreateBatch();
        void Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(byId ? new NpgsqlParameter("key", guid) : new NpgsqlParameter("key", idOrEventId));
            command.Parameters.Add(new NpgsqlParameter("limit", timelineLimit));
            batch.BatchCommands.Add(command);
        }
        // The outage object's columns first (OutageQueries.ReadItem reads them), then what only this page shows.
        Add($"""
            SELECT x.*,
                   (SELECT m.event_id FROM oms_outage_events m WHERE m.id = e.merged_into_id),
                   (SELECT p.event_id FROM oms_outage_events p WHERE p.id = e.parent_outage_id),
                   e.cause, e.etr_source, e.updated_at, e.explanation::text
              FROM ({OutageQueries.Select} WHERE {key}) x
              JOIN oms_outage_events e ON e.id = x.id
            """);
        Add($"""
            WITH RECURSIVE o AS (SELECT o.device_id, o.feeder_id FROM oms_outage_events o WHERE {key}),
            cust AS (SELECT c.* FROM oms_customers c JOIN o ON c.id = o.device_id),
            dp AS (SELECT p.* FROM network_distribution_points p
                    WHERE p.id = (SELECT distribution_point_id FROM cust) OR p.id = (SELECT device_id FROM o)),
            up AS (
                SELECT 0 AS depth, d.id, d.kind, d.name, d.phase, d.is_telemetered, d.parent_device_id, d.location
                  FROM network_devices d
                 WHERE d.id = coalesce((SELECT parent_device_id FROM dp), (SELECT device_id FROM o))
                UNION ALL
                SELECT up.depth + 1, d.id, d.kind, d.name, d.phase, d.is_telemetered, d.parent_device_id, d.location
                  FROM network_devices d JOIN up ON d.id = up.parent_device_id
                 WHERE up.depth < 1000)
            SELECT id, kind, name, phase, tele, ST_Y(location::geometry), ST_X(location::geometry) FROM (
                SELECT 0 AS ord, id, 'customer' AS kind, name, phase, false AS tele, location FROM cust
                UNION ALL SELECT 1, id, 'transformer', name, phase, false, location FROM dp
                UNION ALL SELECT 2 + depth, id, kind, name, phase, is_telemetered, location FROM up
                UNION ALL SELECT 10000, f.id, 'feeder', f.name, f.phase, f.is_telemetered, f.location
                            FROM network_feeders f JOIN o ON f.id = o.feeder_id
                UNION ALL SELECT 10001, s.id, 'substation', s.name, s.phase, false, s.location
                            FROM network_substations s JOIN network_feeders f ON s.id = f.substation_id JOIN o ON f.id = o.feeder_id
            ) path ORDER BY ord
            """);
        Add($"""
            SELECT es.source_type, es.signal_type, count(*)::int FROM oms_event_sources es
             WHERE es.outage_event_id = (SELECT o.id FROM oms_outage_events o WHERE {key})
             GROUP BY es.source_type, es.signal_type ORDER BY es.source_type, es.signal_type
            """);
        Add($"""
            SELECT t.occurred_at, t.entry_type, t.from_status, t.to_status, t.description, t.actor,
                   count(*) OVER ()::int
              FROM oms_event_timeline t
             WHERE t.outage_event_id = (SELECT o.id FROM oms_outage_events o WHERE {key})
             ORDER BY t.occurred_at DESC, t.id DESC LIMIT @limit
            """);

        await using var r = await batch.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }
        var item = OutageQueries.ReadItem(r);
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        string? mergedInto = S(23), parent = S(24), cause = S(25), etrSource = S(26);
        var updatedAt = r.GetFieldValue<DateTimeOffset>(27);
        JsonElement? explanation = r.IsDBNull(28) ? null : JsonDocument.Parse(r.GetString(28)).RootElement.Clone();

        await r.NextResultAsync(ct);
        var path = new List<PathNode>();
        while (await r.ReadAsync(ct))
        {
            path.Add(new PathNode(r.GetString(0), r.GetString(1), S(2), S(3), r.GetBoolean(4), r.GetDouble(5), r.GetDouble(6)));
        }

        await r.NextResultAsync(ct);
        var counts = new List<EvidenceCount>();
        while (await r.ReadAsync(ct))
        {
            counts.Add(new EvidenceCount(r.GetString(0), r.GetString(1), r.GetInt32(2)));
        }

        await r.NextResultAsync(ct);
        var timeline = new List<OutageTimelineEntry>();
        int timelineTotal = 0;
        while (await r.ReadAsync(ct))
        {
            timeline.Add(new OutageTimelineEntry(r.GetFieldValue<DateTimeOffset>(0), r.GetString(1), S(2), S(3), r.GetString(4), r.GetString(5)));
            timelineTotal = r.GetInt32(6);
        }
        return new OutageSummary(item, mergedInto, parent, cause, etrSource, updatedAt, explanation, path, counts, timeline, timelineTotal);
    }

    /// <summary>
    /// A page of the outage's evidence, newest first (occurred time, then id), optionally of one
    /// source; keyset paging on <c>idx_oms_event_sources_outage_time</c>.
    /// </summary>
    public async Task<EvidencePage> GetEvidenceAsync(Guid outageId, string? source = null, EvidenceCursor? after = null, int limit = 25,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // Conditions are left out rather than switched off with "@x IS NULL OR": the planner then
        // sees exactly the index range it may use.
        string sql = """
            SELECT es.id, es.source_type, es.signal_type, es.source_event_id, es.detected_at, es.received_at, es.weight,
                   es.customer_id, es.asset_id, c.account_number
              FROM oms_event_sources es LEFT JOIN oms_customers c ON c.id = es.customer_id
             WHERE es.outage_event_id = @outage
            """
            + (source is null ? "" : " AND es.source_type = @source")
            + (after is null ? "" : " AND (es.detected_at, es.id) < (@afterAt, @afterId)")
            + " ORDER BY es.detected_at DESC, es.id DESC LIMIT @limit";
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("outage", outageId);
        if (source is not null)
        {
            cmd.Parameters.AddWithValue("source", source);
        }
        if (after is not null)
        {
            cmd.Parameters.AddWithValue("afterAt", after.OccurredAt);
            cmd.Parameters.AddWithValue("afterId", after.Id);
        }
        // One row more than asked tells whether another page follows, without counting.
        cmd.Parameters.AddWithValue("limit", limit + 1);
        var rows = new List<EvidenceRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            rows.Add(new EvidenceRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4),
                r.GetFieldValue<DateTimeOffset>(5), r.GetDecimal(6), S(7), S(8), S(9)));
        }
        bool more = rows.Count > limit;
        return new EvidencePage(more ? rows[..limit] : rows, more);
    }

    /// <summary>
    /// A page of the customers below the outage's device, by customer id (keyset: every customer
    /// appears on exactly one page however the pages are cut), with whether and how each reported.
    /// </summary>
    public async Task<CustomerPage> GetCustomersAsync(CustomerQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        var (ctes, scope) = Scope(query.DeviceKind);
        string filter = scope
            + (string.IsNullOrWhiteSpace(query.Account) ? "" : " AND c.account_number ILIKE @account ESCAPE '\\'");
        await using var batch = dataSource.CreateBatch();
        NpgsqlBatchCommand Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("device", query.DeviceId);
            command.Parameters.AddWithValue("outage", query.OutageId);
            if (!string.IsNullOrWhiteSpace(query.Account))
            {
                command.Parameters.AddWithValue("account", "%" + EscapeLike(query.Account.Trim()) + "%");
            }
            batch.BatchCommands.Add(command);
            return command;
        }
        var page = Add(ctes + """
            SELECT c.id, c.account_number, c.name, c.distribution_point_id, c.phase,
                   (SELECT m.id FROM oms_smart_meters m WHERE m.customer_id = c.id ORDER BY m.id LIMIT 1),
                   (SELECT n.id FROM oms_onu_devices n WHERE n.customer_id = c.id ORDER BY n.id LIMIT 1),
                   rep.sources, rep.first_at
              FROM oms_customers c
              LEFT JOIN LATERAL (
                  SELECT array_agg(DISTINCT es.source_type ORDER BY es.source_type) AS sources, min(es.detected_at) AS first_at
                    FROM oms_event_sources es WHERE es.customer_id = c.id AND es.outage_event_id = @outage) rep ON true
             WHERE
            """ + " " + filter + (query.After is null ? "" : " AND c.id > @after") + " ORDER BY c.id LIMIT @limit");
        if (query.After is not null)
        {
            page.Parameters.AddWithValue("after", query.After);
        }
        page.Parameters.AddWithValue("limit", query.Limit + 1);
        if (query.WithTotal)
        {
            Add(ctes + " SELECT count(*) FROM oms_customers c WHERE " + filter);
        }

        var rows = new List<AffectedCustomer>();
        long? total = null;
        await using var r = await batch.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            rows.Add(new AffectedCustomer(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), S(4), S(5), S(6),
                r.IsDBNull(7) ? [] : r.GetFieldValue<string[]>(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8)));
        }
        if (query.WithTotal && await r.NextResultAsync(ct) && await r.ReadAsync(ct))
        {
            total = r.GetInt64(0);
        }
        bool more = rows.Count > query.Limit;
        return new CustomerPage(more ? rows[..query.Limit] : rows, more, total);
    }

    /// <summary>
    /// The network below the outage's device for the map: its lines, and up to
    /// <paramref name="maxCustomers"/> customers (those that reported first).
    /// </summary>
    public async Task<OutageArea> GetAreaAsync(Guid outageId, string deviceId, string? deviceKind, int maxCustomers = 3000, CancellationToken ct = default)
    {
        var (ctes, scope) = Scope(deviceKind);
        await using var batch = dataSource.CreateBatch();
        void Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("device", deviceId);
            command.Parameters.AddWithValue("outage", outageId);
            command.Parameters.AddWithValue("max", maxCustomers);
            batch.BatchCommands.Add(command);
        }
        // Lines: every device and transformer below, joined to its upstream node (a device, or the
        // feeder head when it hangs from it).
        Add(ctes + """
            , nodes AS (
                SELECT d.location, d.parent_device_id, d.feeder_id FROM network_devices d WHERE d.id IN (SELECT id FROM devs)
                UNION ALL
                SELECT p.location, p.parent_device_id, p.feeder_id FROM network_distribution_points p WHERE p.id IN (SELECT id FROM dps))
            SELECT ST_Y(coalesce(pd.location, f.location)::geometry), ST_X(coalesce(pd.location, f.location)::geometry),
                   ST_Y(n.location::geometry), ST_X(n.location::geometry)
              FROM nodes n
              LEFT JOIN network_devices pd ON pd.id = n.parent_device_id
              JOIN network_feeders f ON f.id = n.feeder_id
            """);
        Add(ctes + """
            , reported AS (SELECT DISTINCT customer_id FROM oms_event_sources WHERE outage_event_id = @outage AND customer_id IS NOT NULL)
            SELECT c.id, ST_Y(c.location::geometry), ST_X(c.location::geometry), c.id IN (SELECT customer_id FROM reported) AS rep,
                   count(*) OVER ()::int
              FROM oms_customers c
             WHERE
            """ + " " + scope + " ORDER BY rep DESC, c.id LIMIT @max");

        var segments = new List<double[]>();
        var customers = new List<AreaCustomer>();
        int below = 0;
        await using var r = await batch.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            segments.Add([r.GetDouble(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3)]);
        }
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
        {
            customers.Add(new AreaCustomer(r.GetString(0), r.GetDouble(1), r.GetDouble(2), r.GetBoolean(3)));
            below = r.GetInt32(4);
        }
        return new OutageArea(segments, customers, below);
    }

    /// <summary>
    /// What lies below the device, by its kind: CTEs <c>devs</c> (devices) and <c>dps</c>
    /// (transformers), and the predicate on <c>oms_customers c</c> that selects its customers.
    /// Feeders and transformers select customers by an indexed column of their own; a protective
    /// device walks its subtree.
    /// </summary>
    private static (string Ctes, string CustomerScope) Scope(string? kind) => kind switch
    {
        "feeder" => ("""
            WITH RECURSIVE devs AS (SELECT id FROM network_devices WHERE feeder_id = @device),
            dps AS (SELECT id FROM network_distribution_points WHERE feeder_id = @device)
            """, "c.feeder_id = @device"),
        "substation" => ("""
            WITH RECURSIVE devs AS (SELECT id FROM network_devices WHERE feeder_id IN (SELECT id FROM network_feeders WHERE substation_id = @device)),
            dps AS (SELECT id FROM network_distribution_points WHERE feeder_id IN (SELECT id FROM network_feeders WHERE substation_id = @device))
            """, "c.feeder_id IN (SELECT id FROM network_feeders WHERE substation_id = @device)"),
        "transformer" => ("""
            WITH RECURSIVE devs AS (SELECT NULL::text AS id WHERE false),
            dps AS (SELECT @device::text AS id)
            """, "c.distribution_point_id = @device"),
        "service" or "customer" => ("""
            WITH RECURSIVE devs AS (SELECT NULL::text AS id WHERE false),
            dps AS (SELECT NULL::text AS id WHERE false)
            """, "c.id = @device"),
        _ => ("""
            WITH RECURSIVE devs AS (
                SELECT id, 0 AS depth FROM network_devices WHERE id = @device
                UNION ALL
                SELECT d.id, devs.depth + 1 FROM network_devices d JOIN devs ON d.parent_device_id = devs.id WHERE devs.depth < 1000),
            dps AS (SELECT id FROM network_distribution_points WHERE parent_device_id IN (SELECT id FROM devs))
            """, "c.distribution_point_id IN (SELECT id FROM dps)"),
    };

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
