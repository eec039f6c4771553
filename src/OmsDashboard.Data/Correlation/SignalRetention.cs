using Npgsql;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Data.Correlation;

/// <summary>What one retention run deleted, per source table, and why it stopped short if it did.</summary>
public sealed record RetentionResult(IReadOnlyDictionary<SourceSystem, long> Deleted, long OutcomesDeleted, DateTimeOffset Cutoff, string? Skipped)
{
    public long Total => Deleted.Values.Sum();
}

/// <summary>
/// Deletes raw signal rows no rebuild can need any more (docs/decisions/0013): older than the
/// horizon <em>and</em> at or below the watermarks of the oldest engine snapshot kept, so every
/// kept snapshot can still be replayed forward. With no snapshot stored, nothing is deleted (a
/// rebuild would be a full replay). Their <c>oms_signal_outcomes</c> rows go with them;
/// outages, evidence rows (<c>oms_event_sources</c>), timeline and momentaries stay.
/// <para>
/// Deletes in batches by primary key, each its own short transaction: ingestion keeps inserting
/// meanwhile (new rows are far above the limit) and the pass's cut waits at most one batch.
/// Single-flight across processes by a session advisory lock: a second run finding it taken
/// returns at once.
/// </para>
/// </summary>
public sealed class SignalRetention(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const long LockKey = 0x6F6D_7372_6574;

    public async Task<RetentionResult> RunAsync(TimeSpan horizon, int batchSize, CancellationToken ct)
    {
        if (horizon <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "the retention horizon must be positive");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive");
        var cutoff = time.GetUtcNow() - horizon;
        var deleted = SignalReader.Sources.ToDictionary(s => s, _ => 0L);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection))
        {
            if (!(bool)(await cmd.ExecuteScalarAsync(ct))!) return new(deleted, 0, cutoff, "another retention run holds the lock");
        }
        try
        {
            Watermarks? limit = null;
            await using (var cmd = new NpgsqlCommand("""
                SELECT scada_seq, kaifa_seq, onu_seq, callcenter_seq FROM oms_engine_snapshots ORDER BY pass, id LIMIT 1
                """, connection))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct)) limit = new Watermarks(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
            }
            if (limit is not { } marks) return new(deleted, 0, cutoff, "no engine snapshot stored: a rebuild would need every signal");

            long outcomes = 0;
            foreach (var source in SignalReader.Sources)
            {
                string table = SignalReader.Table(source), id = SignalReader.IdColumn(source);
                while (true)
                {
                    ct.ThrowIfCancellationRequested();
                    await using var tx = await connection.BeginTransactionAsync(ct);
                    // By primary key (ctid is not unique across hash partitions); the outer
                    // predicate repeats the condition so a row can never be deleted without it.
                    await using var delete = new NpgsqlCommand($"""
                        WITH gone AS (
                            DELETE FROM {table} WHERE {id} IN (
                                SELECT {id} FROM {table} WHERE occurred_at < @cutoff AND seq <= @limit LIMIT @batch)
                              AND occurred_at < @cutoff AND seq <= @limit
                            RETURNING {id} AS id),
                        outcomes AS (
                            DELETE FROM oms_signal_outcomes o USING gone
                             WHERE o.source_type = @source AND o.source_event_id = gone.id RETURNING 1)
                        SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM outcomes)
                        """, connection, tx) { CommandTimeout = 0 };
                    delete.Parameters.AddWithValue("cutoff", cutoff);
                    delete.Parameters.AddWithValue("limit", marks[source]);
                    delete.Parameters.AddWithValue("batch", batchSize);
                    delete.Parameters.AddWithValue("source", SignalTypes.ToWire(source));
                    long rows, outcomeRows;
                    await using (var reader = await delete.ExecuteReaderAsync(ct))
                    {
                        await reader.ReadAsync(ct);
                        rows = reader.GetInt64(0);
                        outcomeRows = reader.GetInt64(1);
                    }
                    await tx.CommitAsync(ct);
                    deleted[source] += rows;
                    outcomes += outcomeRows;
                    if (rows < batchSize) break;
                }
            }
            return new(deleted, outcomes, cutoff, null);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
