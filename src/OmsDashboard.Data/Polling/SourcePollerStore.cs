using Npgsql;
using NpgsqlTypes;

namespace OmsDashboard.Data.Polling;

/// <summary>A record a poller pulled and could not store: where it was in the feed, its id if readable, and why.</summary>
public sealed record PolledRejection(string Location, string? RecordId, IReadOnlyList<string> Errors);

/// <summary>What one stored page moves forward: the cursor after it, and what it held.</summary>
public sealed record PageProgress(string? Cursor, int Accepted, DateTimeOffset? NewestRecordAt, IReadOnlyList<PolledRejection> Rejections);

/// <summary>
/// The pollers' state in <c>oms_source_pollers</c> (docs/decisions/0009): the cursor each one has
/// reached and its health. The cursor only moves in <see cref="AdvanceAsync"/>, which the poller
/// calls after the page's records were stored (committed): a crash between the two re-pulls the
/// page, and the idempotent store makes the repeat harmless — at least once pulled, exactly once stored.
/// Not sealed: tests fail <see cref="AdvanceAsync"/> to crash a run between store and cursor.
/// </summary>
public class SourcePollerStore(NpgsqlDataSource dataSource)
{
    /// <summary>The advisory-lock class of pollers (the two-int lock space; the other locks use one bigint).</summary>
    private const int PollerLockClass = 0x0D5_0009;

    /// <summary>Rejected records kept per poller (newest); older ones are deleted as new ones come.</summary>
    public const int RejectionsKept = 1000;

    /// <summary>
    /// Takes the poller's run lock, across processes and instances, or returns null when another
    /// run of this poller holds it. Dispose the result to release it. The lock is a transaction
    /// lock on its own connection, so a crashed process releases it with its connection.
    /// </summary>
    public virtual async Task<IAsyncDisposable?> TryLockAsync(string name, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var tx = await connection.BeginTransactionAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@class, hashtext(@name))", connection, tx);
            cmd.Parameters.AddWithValue("class", PollerLockClass);
            cmd.Parameters.AddWithValue("name", name);
            if ((bool)(await cmd.ExecuteScalarAsync(ct))!)
            {
                return new RunLock(connection, tx);
            }
            await tx.DisposeAsync();
            await connection.DisposeAsync();
            return null;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes the poller's row if it has none, notes the attempt, and returns the cursor to start from.</summary>
    public async Task<string?> BeginRunAsync(string name, string source, string kind, DateTimeOffset at, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO oms_source_pollers AS p (name, source, kind, last_attempt_at, consecutive_failures, records_total, rejected_total, updated_at)
            VALUES (@name, @source, @kind, @at, 0, 0, 0, @at)
            ON CONFLICT (name) DO UPDATE SET source = excluded.source, kind = excluded.kind,
                last_attempt_at = excluded.last_attempt_at, updated_at = excluded.updated_at
            RETURNING p.cursor
            """);
        cmd.Parameters.AddWithValue("name", name);
        cmd.Parameters.AddWithValue("source", source);
        cmd.Parameters.AddWithValue("kind", kind);
        cmd.Parameters.AddWithValue("at", at);
        var cursor = await cmd.ExecuteScalarAsync(ct);
        return cursor is string s ? s : null;
    }

    /// <summary>
    /// Moves the cursor past a stored page and counts it, with its rejected records, in one
    /// transaction. Call only after the page's valid records are committed.
    /// </summary>
    public virtual async Task AdvanceAsync(string name, PageProgress page, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var last = page.Rejections.Count > 0 ? page.Rejections[^1] : null;
        await using (var update = new NpgsqlCommand("""
            UPDATE oms_source_pollers
               SET cursor = @cursor,
                   last_record_at = CASE WHEN @newest::timestamptz IS NULL THEN last_record_at ELSE greatest(last_record_at, @newest::timestamptz) END,
                   records_total = records_total + @accepted,
                   rejected_total = rejected_total + @rejected,
                   last_rejected_at = CASE WHEN @rejected > 0 THEN @at ELSE last_rejected_at END,
                   last_rejection = coalesce(@lastRejection, last_rejection),
                   updated_at = @at
             WHERE name = @name
            """, connection, tx))
        {
            update.Parameters.AddWithValue("name", name);
            update.Parameters.Add(new NpgsqlParameter("cursor", NpgsqlDbType.Text) { Value = (object?)page.Cursor ?? DBNull.Value });
            update.Parameters.Add(new NpgsqlParameter("newest", NpgsqlDbType.TimestampTz) { Value = (object?)page.NewestRecordAt?.ToUniversalTime() ?? DBNull.Value });
            update.Parameters.AddWithValue("accepted", (long)page.Accepted);
            update.Parameters.AddWithValue("rejected", (long)page.Rejections.Count);
            update.Parameters.AddWithValue("at", at);
            update.Parameters.Add(new NpgsqlParameter("lastRejection", NpgsqlDbType.Text)
            {
                Value = last is null ? DBNull.Value : Describe(last),
            });
            if (await update.ExecuteNonQueryAsync(ct) != 1)
            {
                throw new InvalidOperationException($"Poller '{name}' has no row in oms_source_pollers: BeginRunAsync makes it before a run.");
            }
        }
        if (page.Rejections.Count > 0)
        {
            await using (var insert = new NpgsqlCommand("""
                INSERT INTO oms_source_poller_rejections (poller_name, rejected_at, location, record_id, errors)
                SELECT @name, @at, r.location, r.record_id, string_to_array(r.errors, E'\x1f')
                  FROM unnest(@locations, @ids, @errors) AS r(location, record_id, errors)
                """, connection, tx))
            {
                insert.Parameters.AddWithValue("name", name);
                insert.Parameters.AddWithValue("at", at);
                insert.Parameters.AddWithValue("locations", page.Rejections.Select(r => r.Location).ToArray());
                insert.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = page.Rejections.Select(r => r.RecordId).ToArray() });
                // Errors travel as one text per record, split by the unit separator (no error text contains it).
                insert.Parameters.AddWithValue("errors", page.Rejections.Select(r => string.Join('\x1f', r.Errors)).ToArray());
                await insert.ExecuteNonQueryAsync(ct);
            }
            await using var trim = new NpgsqlCommand("""
                DELETE FROM oms_source_poller_rejections
                 WHERE poller_name = @name
                   AND id < (SELECT min(id) FROM (SELECT id FROM oms_source_poller_rejections WHERE poller_name = @name ORDER BY id DESC LIMIT @kept) newest)
                """, connection, tx);
            trim.Parameters.AddWithValue("name", name);
            trim.Parameters.AddWithValue("kept", RejectionsKept);
            await trim.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>A run reached the end of the feed (or its page limit) without error: the failure count starts again.</summary>
    public Task SucceededAsync(string name, DateTimeOffset at, CancellationToken ct) => ExecAsync("""
        UPDATE oms_source_pollers SET last_success_at = @at, consecutive_failures = 0, updated_at = @at WHERE name = @name
        """, name, at, null, ct);

    /// <summary>A run failed (after its retries): counted, and the reason kept for the dashboard.</summary>
    public Task FailedAsync(string name, DateTimeOffset at, string error, CancellationToken ct) => ExecAsync("""
        UPDATE oms_source_pollers
           SET last_error_at = @at, last_error = @error, consecutive_failures = consecutive_failures + 1, updated_at = @at
         WHERE name = @name
        """, name, at, error, ct);

    /// <summary>The newest rejected records of a poller, newest first.</summary>
    public async Task<IReadOnlyList<PolledRejection>> RejectionsAsync(string name, int limit, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT location, record_id, errors FROM oms_source_poller_rejections WHERE poller_name = @name ORDER BY id DESC LIMIT @limit");
        cmd.Parameters.AddWithValue("name", name);
        cmd.Parameters.AddWithValue("limit", limit);
        var list = new List<PolledRejection>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new PolledRejection(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetFieldValue<string[]>(2)));
        }
        return list;
    }

    public static string Describe(PolledRejection r) =>
        $"{r.Location}{(r.RecordId is null ? "" : $" ({r.RecordId})")}: {string.Join("; ", r.Errors)}";

    private async Task ExecAsync(string sql, string name, DateTimeOffset at, string? error, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("name", name);
        cmd.Parameters.AddWithValue("at", at);
        if (error is not null)
        {
            cmd.Parameters.AddWithValue("error", error);
        }
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private sealed class RunLock(NpgsqlConnection connection, NpgsqlTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await tx.RollbackAsync(); // ends the transaction, and with it the lock
            }
            finally
            {
                await tx.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
    }
}
