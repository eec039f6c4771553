using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Data.Import;

/// <summary>
/// Imports <c>nodes.csv</c> + <c>assets.csv</c> into the network tables, all or nothing.
/// <list type="number">
/// <item>The files are read and validated in memory (<see cref="TopologyFiles"/>): any error and
/// nothing touches the database.</item>
/// <item>In one transaction the rows are binary-COPYed into temporary staging tables, checked
/// against what other imports own, then merged set-wise: the substations in the files are
/// replaced (rows they no longer have are deleted), everything else is left alone.</item>
/// <item>Merges only write rows that differ, so importing the same files again changes nothing.</item>
/// </list>
/// </summary>
public sealed class TopologyImporter(NpgsqlDataSource dataSource)
{
    /// <summary>Serialises imports across processes (the key is arbitrary but fixed).</summary>
    private const long ImportLockKey = 0x6F6D_7374_6F70;

    public async Task<TopologyImportResult> ImportFilesAsync(string nodesPath, string assetsPath, CancellationToken cancellationToken = default)
    {
        using var nodes = new StreamReader(nodesPath, System.Text.Encoding.UTF8, true, 1 << 16);
        using var assets = new StreamReader(assetsPath, System.Text.Encoding.UTF8, true, 1 << 16);
        return await ImportAsync(nodes, Path.GetFileName(nodesPath), assets, Path.GetFileName(assetsPath), cancellationToken);
    }

    public async Task<TopologyImportResult> ImportAsync(TextReader nodes, string nodesName, TextReader assets, string assetsName,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var parsed = TopologyFiles.Parse(nodes, nodesName, assets, assetsName);
        var parseTime = clock.Elapsed;
        if (!parsed.Succeeded)
        {
            return TopologyImportResult.Failed(parsed.Errors, parsed.TotalErrors, clock.Elapsed);
        }
        var network = parsed.Network!;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, $"SELECT pg_advisory_xact_lock({ImportLockKey})", cancellationToken);
        await Execute(connection, """
            CREATE TEMP TABLE stage_nodes (
                id text NOT NULL, kind text NOT NULL, parent_id text, parent_device_id text,
                feeder_id text, substation_id text NOT NULL, lat float8 NOT NULL, lon float8 NOT NULL,
                phase text, name text NOT NULL, depth int NOT NULL, line int NOT NULL) ON COMMIT DROP;
            CREATE TEMP TABLE stage_assets (
                customer_id text NOT NULL, account_number text NOT NULL, meter_id text NOT NULL,
                onu_id text, line int NOT NULL) ON COMMIT DROP;
            """, cancellationToken);

        await CopyNodesAsync(connection, network, cancellationToken);
        await CopyAssetsAsync(connection, network, cancellationToken);
        await Execute(connection, """
            CREATE INDEX ON stage_nodes (id); CREATE INDEX ON stage_assets (customer_id);
            ANALYZE stage_nodes; ANALYZE stage_assets;
            """, cancellationToken);

        var conflicts = await FindConflictsAsync(connection, nodesName, assetsName, cancellationToken);
        if (conflicts.Count > 0)
        {
            await tx.RollbackAsync(cancellationToken);
            return TopologyImportResult.Failed(conflicts.Take(TopologyFiles.MaxReportedErrors).ToList(), conflicts.Count, clock.Elapsed);
        }

        var changes = new ImportChanges();
        foreach (var step in MergeSteps)
        {
            await using var cmd = new NpgsqlCommand(step.Sql, connection) { CommandTimeout = 0 };
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                changes.Add(step.Kind, reader.GetInt64(0));
            }
        }
        // The tree's foreign keys are deferred to commit; check them here, in a statement with no
        // time limit, so that COMMIT itself (bound by the default command timeout) stays short.
        await Execute(connection, "SET CONSTRAINTS ALL IMMEDIATE", cancellationToken);
        await tx.CommitAsync(cancellationToken);

        var counts = network.CountByKind().ToDictionary(kv => kv.Key.ToWire(), kv => kv.Value);
        counts["meter"] = network.Assets.Count;
        counts["onu"] = network.Assets.Count(a => a.OnuId is not null);
        return new TopologyImportResult(true, [], 0, counts, changes.Inserted, changes.Updated, changes.Deleted, parseTime, clock.Elapsed);
    }

    private static async Task CopyNodesAsync(NpgsqlConnection connection, NetworkTopology network, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_nodes (id, kind, parent_id, parent_device_id, feeder_id, substation_id, lat, lon, phase, name, depth, line) FROM STDIN (FORMAT BINARY)", ct);
        writer.Timeout = TimeSpan.Zero;
        for (int i = 0; i < network.Count; i++)
        {
            int parent = network.Parents[i];
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(network.Ids[i], NpgsqlDbType.Text, ct);
            await writer.WriteAsync(network.Kinds[i].ToWire(), NpgsqlDbType.Text, ct);
            await WriteNullable(writer, parent < 0 ? null : network.Ids[parent], ct);
            await WriteNullable(writer, parent >= 0 && network.Kinds[parent].IsLineDevice() ? network.Ids[parent] : null, ct);
            await WriteNullable(writer, network.Feeders[i] < 0 ? null : network.Ids[network.Feeders[i]], ct);
            await writer.WriteAsync(network.Ids[network.Substations[i]], NpgsqlDbType.Text, ct);
            await writer.WriteAsync(network.Lats[i], NpgsqlDbType.Double, ct);
            await writer.WriteAsync(network.Lons[i], NpgsqlDbType.Double, ct);
            await WriteNullable(writer, network.Phases[i], ct);
            await writer.WriteAsync(network.Names[i], NpgsqlDbType.Text, ct);
            await writer.WriteAsync(network.Depths[i], NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(network.SourceLines[i], NpgsqlDbType.Integer, ct);
        }
        await writer.CompleteAsync(ct);
    }

    private static async Task CopyAssetsAsync(NpgsqlConnection connection, NetworkTopology network, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY stage_assets (customer_id, account_number, meter_id, onu_id, line) FROM STDIN (FORMAT BINARY)", ct);
        writer.Timeout = TimeSpan.Zero;
        foreach (var a in network.Assets)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(a.CustomerId, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(a.AccountNumber, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(a.MeterId, NpgsqlDbType.Text, ct);
            await WriteNullable(writer, a.OnuId, ct);
            await writer.WriteAsync(a.SourceLine, NpgsqlDbType.Integer, ct);
        }
        await writer.CompleteAsync(ct);
    }

    private static Task WriteNullable(NpgsqlBinaryImporter writer, string? value, CancellationToken ct) =>
        value is null ? writer.WriteNullAsync(ct) : writer.WriteAsync(value, NpgsqlDbType.Text, ct);

    /// <summary>
    /// Rows that the files would take from another import: an id, account, meter or ONU that
    /// already belongs to a substation not in these files.
    /// </summary>
    private static async Task<List<ImportError>> FindConflictsAsync(NpgsqlConnection connection, string nodesName, string assetsName, CancellationToken ct)
    {
        const string sql = """
            WITH mine AS (SELECT DISTINCT substation_id FROM stage_nodes),
            owned AS (
                SELECT id, id AS substation_id, 'substation' AS kind FROM network_substations
                UNION ALL SELECT f.id, f.substation_id, 'feeder' FROM network_feeders f
                UNION ALL SELECT d.id, f.substation_id, d.kind FROM network_devices d JOIN network_feeders f ON f.id = d.feeder_id
                UNION ALL SELECT p.id, f.substation_id, 'transformer' FROM network_distribution_points p JOIN network_feeders f ON f.id = p.feeder_id
                UNION ALL SELECT c.id, f.substation_id, 'customer' FROM oms_customers c JOIN network_feeders f ON f.id = c.feeder_id
            ),
            customer_owner AS (
                SELECT c.id AS customer_id, c.account_number, f.substation_id
                FROM oms_customers c JOIN network_feeders f ON f.id = c.feeder_id
                WHERE f.substation_id NOT IN (SELECT substation_id FROM mine)
            )
            SELECT 'nodes', s.line, format('id ''%s'' already belongs to substation ''%s'' (from an earlier import)', s.id, o.substation_id)
              FROM stage_nodes s JOIN owned o ON o.id = s.id
             WHERE o.substation_id NOT IN (SELECT substation_id FROM mine)
            UNION ALL
            SELECT 'assets', a.line, format('account_number ''%s'' already belongs to customer ''%s'' of substation ''%s''', a.account_number, co.customer_id, co.substation_id)
              FROM stage_assets a JOIN customer_owner co ON co.account_number = a.account_number
            UNION ALL
            SELECT 'assets', a.line, format('meter_id ''%s'' already belongs to customer ''%s'' of substation ''%s''', a.meter_id, co.customer_id, co.substation_id)
              FROM stage_assets a JOIN oms_smart_meters m ON m.id = a.meter_id JOIN customer_owner co ON co.customer_id = m.customer_id
            UNION ALL
            SELECT 'assets', a.line, format('onu_id ''%s'' already belongs to customer ''%s'' of substation ''%s''', a.onu_id, co.customer_id, co.substation_id)
              FROM stage_assets a JOIN oms_onu_devices d ON d.id = a.onu_id JOIN customer_owner co ON co.customer_id = d.customer_id
            ORDER BY 1 DESC, 2
            """;
        var errors = new List<ImportError>();
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            errors.Add(new ImportError(reader.GetString(0) == "nodes" ? nodesName : assetsName, reader.GetInt32(1), reader.GetString(2)));
        }
        return errors;
    }

    /// <summary>Runs a statement with no time limit: a million-customer merge takes longer than the default 30 s.</summary>
    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private sealed record MergeStep(ChangeKind Kind, string Sql);

    private enum ChangeKind { Deleted, Upserted }

    private sealed class ImportChanges
    {
        public long Inserted { get; private set; }
        public long Updated { get; private set; }
        public long Deleted { get; private set; }

        public void Add(ChangeKind kind, long packed)
        {
            if (kind == ChangeKind.Deleted)
            {
                Deleted += packed;
            }
            else
            {
                // Upsert steps return inserted * 2^32 + updated.
                Inserted += packed >> 32;
                Updated += packed & 0xFFFF_FFFF;
            }
        }
    }

    private const string Point = "ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography";

    private static string Upsert(string table, string columns, string select, string updates, string compare) => $"""
        WITH up AS (
            INSERT INTO {table} AS t ({columns})
            {select}
            ON CONFLICT (id) DO UPDATE SET {updates}
            WHERE ({compare.Replace("@", "t.", StringComparison.Ordinal)}) IS DISTINCT FROM ({compare.Replace("@", "EXCLUDED.", StringComparison.Ordinal)})
            RETURNING (xmax = 0) AS inserted)
        SELECT (count(*) FILTER (WHERE inserted) << 32) + count(*) FILTER (WHERE NOT inserted) FROM up
        """;

    private static string Delete(string table, string scope, string keep) => $"""
        WITH mine AS (SELECT DISTINCT substation_id FROM stage_nodes),
        gone AS (DELETE FROM {table} t WHERE {scope} AND NOT EXISTS ({keep}) RETURNING 1)
        SELECT count(*) FROM gone
        """;

    private const string InMineViaFeeder = "t.feeder_id IN (SELECT f.id FROM network_feeders f WHERE f.substation_id IN (SELECT substation_id FROM mine))";
    private const string CustomerInMine = "t.customer_id IN (SELECT c.id FROM oms_customers c JOIN network_feeders f ON f.id = c.feeder_id WHERE f.substation_id IN (SELECT substation_id FROM mine))";

    /// <summary>Deletes leaf-first, then upserts root-first; the tree's self references are deferred to commit.</summary>
    private static readonly MergeStep[] MergeSteps =
    [
        new(ChangeKind.Deleted, Delete("oms_onu_devices", CustomerInMine, "SELECT 1 FROM stage_assets a WHERE a.onu_id = t.id AND a.customer_id = t.customer_id")),
        new(ChangeKind.Deleted, Delete("oms_smart_meters", CustomerInMine, "SELECT 1 FROM stage_assets a WHERE a.meter_id = t.id AND a.customer_id = t.customer_id")),
        new(ChangeKind.Deleted, Delete("oms_customers", InMineViaFeeder, "SELECT 1 FROM stage_nodes s WHERE s.id = t.id AND s.kind = 'customer'")),
        new(ChangeKind.Deleted, Delete("network_distribution_points", InMineViaFeeder, "SELECT 1 FROM stage_nodes s WHERE s.id = t.id AND s.kind = 'transformer'")),
        new(ChangeKind.Deleted, Delete("network_devices", InMineViaFeeder, "SELECT 1 FROM stage_nodes s WHERE s.id = t.id AND s.kind = t.kind")),
        new(ChangeKind.Deleted, Delete("network_feeders", "t.substation_id IN (SELECT substation_id FROM mine)", "SELECT 1 FROM stage_nodes s WHERE s.id = t.id AND s.kind = 'feeder'")),
        new(ChangeKind.Upserted, Upsert("network_substations", "id, name, location, phase",
            $"SELECT s.id, s.name, {Point}, s.phase FROM stage_nodes s WHERE s.kind = 'substation'",
            "name = EXCLUDED.name, location = EXCLUDED.location, phase = EXCLUDED.phase",
            "@name, @location::text, @phase")),
        new(ChangeKind.Upserted, Upsert("network_feeders", "id, substation_id, name, location, phase",
            $"SELECT s.id, s.parent_id, s.name, {Point}, s.phase FROM stage_nodes s WHERE s.kind = 'feeder'",
            "substation_id = EXCLUDED.substation_id, name = EXCLUDED.name, location = EXCLUDED.location, phase = EXCLUDED.phase",
            "@substation_id, @name, @location::text, @phase")),
        new(ChangeKind.Upserted, Upsert("network_devices", "id, feeder_id, parent_device_id, kind, name, location, phase, is_telemetered, normally_open, depth, status",
            $"""
            SELECT s.id, s.feeder_id, s.parent_device_id, s.kind, s.name, {Point}, s.phase,
                   s.kind = 'recloser', s.name LIKE '%[normally open%', s.depth,
                   CASE WHEN s.name LIKE '%[normally open%' THEN 'open' ELSE 'closed' END
              FROM stage_nodes s WHERE s.kind IN ('recloser', 'fuse', 'switch')
            """,
            "feeder_id = EXCLUDED.feeder_id, parent_device_id = EXCLUDED.parent_device_id, kind = EXCLUDED.kind, name = EXCLUDED.name, location = EXCLUDED.location, phase = EXCLUDED.phase, normally_open = EXCLUDED.normally_open, depth = EXCLUDED.depth",
            "@feeder_id, @parent_device_id, @kind, @name, @location::text, @phase, @normally_open, @depth")),
        new(ChangeKind.Upserted, Upsert("network_distribution_points", "id, feeder_id, parent_device_id, name, location, phase",
            $"SELECT s.id, s.feeder_id, s.parent_device_id, s.name, {Point}, s.phase FROM stage_nodes s WHERE s.kind = 'transformer'",
            "feeder_id = EXCLUDED.feeder_id, parent_device_id = EXCLUDED.parent_device_id, name = EXCLUDED.name, location = EXCLUDED.location, phase = EXCLUDED.phase",
            "@feeder_id, @parent_device_id, @name, @location::text, @phase")),
        new(ChangeKind.Upserted, Upsert("oms_customers", "id, account_number, distribution_point_id, feeder_id, name, location, phase",
            $"SELECT s.id, a.account_number, s.parent_id, s.feeder_id, s.name, {Point}, s.phase FROM stage_nodes s JOIN stage_assets a ON a.customer_id = s.id WHERE s.kind = 'customer'",
            "account_number = EXCLUDED.account_number, distribution_point_id = EXCLUDED.distribution_point_id, feeder_id = EXCLUDED.feeder_id, name = EXCLUDED.name, location = EXCLUDED.location, phase = EXCLUDED.phase",
            "@account_number, @distribution_point_id, @feeder_id, @name, @location::text, @phase")),
        new(ChangeKind.Upserted, Upsert("oms_smart_meters", "id, customer_id",
            "SELECT a.meter_id, a.customer_id FROM stage_assets a",
            "customer_id = EXCLUDED.customer_id", "@customer_id")),
        new(ChangeKind.Upserted, Upsert("oms_onu_devices", "id, customer_id",
            "SELECT a.onu_id, a.customer_id FROM stage_assets a WHERE a.onu_id IS NOT NULL",
            "customer_id = EXCLUDED.customer_id", "@customer_id")),
    ];
}

/// <summary>What an import did, or why it did nothing.</summary>
/// <param name="Counts">Rows in the files per kind (plus <c>meter</c> and <c>onu</c>).</param>
public sealed record TopologyImportResult(
    bool Succeeded,
    IReadOnlyList<ImportError> Errors,
    int TotalErrors,
    IReadOnlyDictionary<string, int> Counts,
    long Inserted,
    long Updated,
    long Deleted,
    TimeSpan ParseTime,
    TimeSpan Elapsed)
{
    public static TopologyImportResult Failed(IReadOnlyList<ImportError> errors, int total, TimeSpan elapsed) =>
        new(false, errors, total, new Dictionary<string, int>(), 0, 0, 0, TimeSpan.Zero, elapsed);
}
