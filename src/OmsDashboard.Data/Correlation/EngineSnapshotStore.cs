using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Domain.Correlation;

namespace OmsDashboard.Data.Correlation;

/// <summary>When the pass writes an engine snapshot, and how many it keeps (docs/decisions/0013).</summary>
/// <param name="Every">Wall time since the last snapshot after which the next pass writes one.</param>
/// <param name="AfterSignals">Signals taken in since the last snapshot after which the next pass writes one.</param>
/// <param name="Keep">Snapshots kept (the newest); older ones are deleted by the pass that writes a new one.</param>
public sealed record SnapshotPolicy(TimeSpan Every, int AfterSignals, int Keep)
{
    public static SnapshotPolicy Default { get; } = new(TimeSpan.FromMinutes(5), 200_000, 3);

    /// <summary>Never writes snapshots (every rebuild is a full replay, as before ADR 0013).</summary>
    public static SnapshotPolicy Never { get; } = new(TimeSpan.MaxValue, int.MaxValue, 1);

    public void Validate()
    {
        if (Every <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Every), Every, "must be positive");
        if (AfterSignals <= 0) throw new ArgumentOutOfRangeException(nameof(AfterSignals), AfterSignals, "must be positive");
        if (Keep < 1) throw new ArgumentOutOfRangeException(nameof(Keep), Keep, "at least one snapshot must be kept");
    }
}

/// <summary>A stored snapshot's description (its state is read separately).</summary>
/// <param name="Pass">The pass that wrote it: actions queued by later passes follow it.</param>
/// <param name="Marks">The source tables' seq watermarks it corresponds to.</param>
internal sealed record StoredSnapshot(long Id, DateTimeOffset TakenAt, long Pass, Watermarks Marks, long NextOutageNumber, int FormatVersion, int Size);

/// <summary>Reads and writes <c>oms_engine_snapshots</c>.</summary>
internal static class EngineSnapshotStore
{
    /// <summary>Writes the engine's snapshot as of <paramref name="pass"/> and deletes all but the newest <paramref name="keep"/>.</summary>
    public static async Task<(long Id, int Size, long Milliseconds)> WriteAsync(NpgsqlConnection connection, CorrelationEngine engine, long pass,
        Watermarks marks, string? settingsVersion, int keep, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new MemoryStream();
        engine.WriteSnapshot(buffer);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO oms_engine_snapshots (pass, scada_seq, kaifa_seq, onu_seq, callcenter_seq, processed_until, next_outage_number,
                                              settings_version, format_version, size_bytes, state)
            VALUES (@pass, @scada, @kaifa, @onu, @call, @until, @next, @settings, @format, @size, @state)
            RETURNING id;
            """, connection);
        cmd.Parameters.AddWithValue("pass", pass);
        cmd.Parameters.AddWithValue("scada", marks.Scada);
        cmd.Parameters.AddWithValue("kaifa", marks.Kaifa);
        cmd.Parameters.AddWithValue("onu", marks.Onu);
        cmd.Parameters.AddWithValue("call", marks.Callcenter);
        cmd.Parameters.AddWithValue("until", NpgsqlDbType.TimestampTz, (object?)engine.Clock ?? DBNull.Value);
        cmd.Parameters.AddWithValue("next", engine.NextOutageNumber);
        cmd.Parameters.AddWithValue("settings", NpgsqlDbType.Text, (object?)settingsVersion ?? DBNull.Value);
        cmd.Parameters.AddWithValue("format", CorrelationEngine.SnapshotFormatVersion);
        cmd.Parameters.AddWithValue("size", (int)buffer.Length);
        cmd.Parameters.Add(new NpgsqlParameter("state", NpgsqlDbType.Bytea) { Value = new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length) });
        long id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        await using var prune = new NpgsqlCommand("""
            DELETE FROM oms_engine_snapshots WHERE id NOT IN (SELECT id FROM oms_engine_snapshots ORDER BY pass DESC, id DESC LIMIT @keep)
            """, connection);
        prune.Parameters.AddWithValue("keep", keep);
        await prune.ExecuteNonQueryAsync(ct);
        return (id, (int)buffer.Length, clock.ElapsedMilliseconds);
    }

    /// <summary>The stored snapshots, newest first, without their state.</summary>
    public static async Task<List<StoredSnapshot>> ListAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT id, taken_at, pass, scada_seq, kaifa_seq, onu_seq, callcenter_seq, next_outage_number, format_version, size_bytes
              FROM oms_engine_snapshots ORDER BY pass DESC, id DESC
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<StoredSnapshot>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(new StoredSnapshot(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt64(2),
                new Watermarks(reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)),
                reader.GetInt64(7), reader.GetInt32(8), reader.GetInt32(9)));
        }
        return list;
    }

    public static async Task<byte[]> ReadStateAsync(NpgsqlConnection connection, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT state FROM oms_engine_snapshots WHERE id = @id", connection);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(ct) as byte[] ?? throw new InvalidOperationException($"engine snapshot {id} disappeared");
    }
}
