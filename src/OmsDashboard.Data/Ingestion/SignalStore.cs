using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Data.Ingestion;

/// <summary>
/// One validated record of any of the four sources, as the ingestion API hands it to
/// <see cref="SignalStore"/>. Which fields apply depends on the source: <see cref="AssetId"/> is
/// SCADA's <c>deviceId</c>, Kaifa's <c>meterId</c> or the ONU's <c>onuId</c>; <see cref="Detail"/>
/// is SCADA's <c>description</c> or Kaifa's <c>eventCode</c>; the rest are the call center's.
/// </summary>
public readonly record struct IncomingSignal
{
    /// <summary>The source's own id (<c>eventId</c> or <c>ticketId</c>): the table's primary key.</summary>
    public required string Id { get; init; }
    /// <summary><c>eventType</c>, or a ticket's <c>category</c>, in the contract's spelling.</summary>
    public required string Type { get; init; }
    /// <summary><c>occurredAt</c>, or a ticket's <c>reportedAt</c>.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public string? AssetId { get; init; }
    public string? Detail { get; init; }
    public string? AccountNumber { get; init; }
    public double? Lat { get; init; }
    public double? Lon { get; init; }
    public string? Address { get; init; }
    public string? CallerPhone { get; init; }
    public string? Notes { get; init; }
}

/// <summary>
/// The bulk write path of ingestion. A batch goes in one transaction: binary COPY into a
/// temporary staging table, then one <c>INSERT … SELECT … ON CONFLICT (id) DO NOTHING RETURNING id</c>
/// into the hash-partitioned source table (docs/decisions/0003). The source id alone is the
/// primary key, so a record already stored — by an earlier batch, a concurrent one, or earlier in
/// the same batch — is skipped by the database itself, exactly: two identical batches at once
/// store each record once. Rows are inserted in one fixed order (the id, byte-wise), so that
/// concurrent batches that overlap wait for each other instead of deadlocking.
/// Not sealed: tests hold a batch in flight by overriding <see cref="StoreAsync"/>.
/// </summary>
public class SignalStore(NpgsqlDataSource dataSource)
{
    private const int MaxAttempts = 3;

    /// <summary>
    /// Stores <paramref name="records"/> (all of <paramref name="source"/>, already validated) and
    /// returns the ids that were new; every other record was a duplicate and changed nothing.
    /// Durable when it returns (the transaction committed). Where one id occurs twice in
    /// <paramref name="records"/>, one of them is stored.
    /// </summary>
    public virtual async Task<IReadOnlyList<string>> StoreAsync(SourceSystem source, IReadOnlyList<IncomingSignal> records,
        CancellationToken cancellationToken = default)
    {
        if (records.Count == 0)
        {
            return [];
        }
        var sql = Statements.For(source);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StoreOnceAsync(sql, records, cancellationToken);
            }
            catch (PostgresException e) when (attempt < MaxAttempts && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Nothing of the failed attempt was committed; the records are still in memory.
            }
        }
    }

    private async Task<IReadOnlyList<string>> StoreOnceAsync(Statements sql, IReadOnlyList<IncomingSignal> records, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand(sql.CreateStage, connection, tx))
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        await using (var writer = await connection.BeginBinaryImportAsync(sql.Copy, ct))
        {
            writer.Timeout = TimeSpan.Zero;
            foreach (var r in records)
            {
                await writer.StartRowAsync(ct);
                await sql.WriteRow(writer, r, ct);
            }
            await writer.CompleteAsync(ct);
        }
        var accepted = new List<string>(records.Count);
        await using (var insert = new NpgsqlCommand(sql.Insert, connection, tx) { CommandTimeout = 0 })
        await using (var reader = await insert.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                accepted.Add(reader.GetString(0));
            }
        }
        await tx.CommitAsync(ct);
        return accepted;
    }

    private sealed record Statements(string CreateStage, string Copy, string Insert,
        Func<NpgsqlBinaryImporter, IncomingSignal, CancellationToken, Task> WriteRow)
    {
        public static Statements For(SourceSystem source) => source switch
        {
            SourceSystem.Scada => Scada,
            SourceSystem.Kaifa => Kaifa,
            SourceSystem.Onu => Onu,
            SourceSystem.Callcenter => Callcenter,
            _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
        };

        private static Statements Simple(string table, string assetColumn, string? detailColumn)
        {
            string detail = detailColumn is null ? "" : $", {detailColumn}";
            string detailDef = detailColumn is null ? "" : $", {detailColumn} text";
            string columns = $"event_id, {assetColumn}, event_type{detail}, occurred_at, received_at";
            return new(
                $"CREATE TEMP TABLE stage_{table} (event_id text, {assetColumn} text, event_type text{detailDef}, occurred_at timestamptz, received_at timestamptz) ON COMMIT DROP",
                $"COPY stage_{table} ({columns}) FROM STDIN (FORMAT BINARY)",
                $"""
                INSERT INTO {table} ({columns})
                SELECT {columns} FROM stage_{table} ORDER BY event_id COLLATE "C"
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id
                """,
                async (w, r, ct) =>
                {
                    await w.WriteAsync(r.Id, NpgsqlDbType.Text, ct);
                    await w.WriteAsync(r.AssetId!, NpgsqlDbType.Text, ct);
                    await w.WriteAsync(r.Type, NpgsqlDbType.Text, ct);
                    if (detailColumn is not null)
                    {
                        await WriteText(w, r.Detail, ct);
                    }
                    await w.WriteAsync(r.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                    await w.WriteAsync(r.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                });
        }

        private static readonly Statements Scada = Simple("scada_events", "device_id", "description");
        private static readonly Statements Kaifa = Simple("kaifa_events", "meter_id", "event_code");
        private static readonly Statements Onu = Simple("onu_events", "onu_id", null);

        // Call locations are stored as they are queried: geography points (WGS84, metres).
        private static readonly Statements Callcenter = new(
            """
            CREATE TEMP TABLE stage_callcenter_tickets (ticket_id text, account_number text, lat float8, lon float8, address text,
                category text, caller_phone text, notes text, occurred_at timestamptz, received_at timestamptz) ON COMMIT DROP
            """,
            "COPY stage_callcenter_tickets (ticket_id, account_number, lat, lon, address, category, caller_phone, notes, occurred_at, received_at) FROM STDIN (FORMAT BINARY)",
            """
            INSERT INTO callcenter_tickets (ticket_id, account_number, location, address, category, caller_phone, notes, occurred_at, received_at)
            SELECT ticket_id, account_number, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, address, category, caller_phone, notes, occurred_at, received_at
              FROM stage_callcenter_tickets ORDER BY ticket_id COLLATE "C"
            ON CONFLICT (ticket_id) DO NOTHING
            RETURNING ticket_id
            """,
            async (w, r, ct) =>
            {
                await w.WriteAsync(r.Id, NpgsqlDbType.Text, ct);
                await WriteText(w, r.AccountNumber, ct);
                await WriteDouble(w, r.Lat, ct);
                await WriteDouble(w, r.Lon, ct);
                await WriteText(w, r.Address, ct);
                await w.WriteAsync(r.Type, NpgsqlDbType.Text, ct);
                await WriteText(w, r.CallerPhone, ct);
                await WriteText(w, r.Notes, ct);
                await w.WriteAsync(r.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                await w.WriteAsync(r.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            });

        private static Task WriteText(NpgsqlBinaryImporter w, string? value, CancellationToken ct) =>
            value is null ? w.WriteNullAsync(ct) : w.WriteAsync(value, NpgsqlDbType.Text, ct);

        private static Task WriteDouble(NpgsqlBinaryImporter w, double? value, CancellationToken ct) =>
            value is { } v ? w.WriteAsync(v, NpgsqlDbType.Double, ct) : w.WriteNullAsync(ct);
    }
}
