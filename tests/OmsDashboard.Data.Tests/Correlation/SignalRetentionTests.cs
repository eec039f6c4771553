using OmsDashboard.Data.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Correlation;

/// <summary>
/// <see cref="SignalRetention"/> on a real database, all four source tables: what it deletes is
/// older than the horizon and at or below the oldest kept snapshot's watermark, with its outcome
/// row; nothing else. (The recurring job on the app's Hangfire server: Web.Tests RetentionJobTests.)
/// </summary>
public sealed class SignalRetentionTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private static readonly DateTimeOffset Old = DateTimeOffset.UtcNow.AddDays(-200);
    private static readonly DateTimeOffset Recent = DateTimeOffset.UtcNow.AddDays(-5);

    public async Task InitializeAsync() => _db = await TestDatabase.CreateMigratedAsync("retention");

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>Three rows per table: old, old again, recent (in that seq order); an outcome row for each.</summary>
    private async Task StoreAsync(string prefix)
    {
        foreach (var (at, n) in new[] { (Old, 1), (Old, 2), (Recent, 3) })
        {
            await _db.ExecuteAsync($"""
                INSERT INTO scada_events (event_id, device_id, event_type, occurred_at, received_at) VALUES ('{prefix}S{n}', 'D', 'lockout', '{at:O}', '{at:O}');
                INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('{prefix}K{n}', 'M', 'last_gasp', '{at:O}', '{at:O}');
                INSERT INTO onu_events (event_id, onu_id, event_type, occurred_at, received_at) VALUES ('{prefix}O{n}', 'O', 'dying_gasp', '{at:O}', '{at:O}');
                INSERT INTO callcenter_tickets (ticket_id, category, occurred_at, received_at, account_number) VALUES ('{prefix}C{n}', 'no_power', '{at:O}', '{at:O}', 'A');
                INSERT INTO oms_signal_outcomes (source_type, source_event_id, state, note, decided_at)
                VALUES ('scada', '{prefix}S{n}', 'unmatched', 'x', now()), ('kaifa', '{prefix}K{n}', 'unmatched', 'x', now()),
                       ('onu', '{prefix}O{n}', 'unmatched', 'x', now()), ('callcenter', '{prefix}C{n}', 'unmatched', 'x', now());
                """);
        }
    }

    /// <summary>A snapshot row whose watermarks are the current highest seq of each table (the state bytes do not matter here).</summary>
    private Task SnapshotHereAsync(long pass) => _db.ExecuteAsync($"""
        INSERT INTO oms_engine_snapshots (pass, scada_seq, kaifa_seq, onu_seq, callcenter_seq, next_outage_number, format_version, size_bytes, state)
        SELECT {pass}, (SELECT max(seq) FROM scada_events), (SELECT max(seq) FROM kaifa_events), (SELECT max(seq) FROM onu_events),
               (SELECT max(seq) FROM callcenter_tickets), 1, 1, 1, '\x00'::bytea
        """);

    private Task<string> RemainingAsync() => _db.ScalarAsync<string>("""
        SELECT string_agg(id, ',' ORDER BY id COLLATE "C") FROM (
            SELECT event_id AS id FROM scada_events UNION ALL SELECT event_id FROM kaifa_events
            UNION ALL SELECT event_id FROM onu_events UNION ALL SELECT ticket_id FROM callcenter_tickets) s
        """);

    [Fact]
    public async Task Run_DeletesOldRowsAtOrBelowTheOldestSnapshot_InEveryTable_WithTheirOutcomes()
    {
        // Arrange: rows covered by the oldest snapshot (A*), rows after it covered only by a newer one (B*).
        await StoreAsync("A");
        await SnapshotHereAsync(pass: 10);
        await StoreAsync("B");
        await SnapshotHereAsync(pass: 20);

        // Act: batches of one row, so every table takes several transactions.
        var result = await new SignalRetention(_db.DataSource, TimeProvider.System).RunAsync(TimeSpan.FromDays(90), 1, default);

        // Assert: the old A rows are gone with their outcomes; recent A rows and every B row (above the oldest snapshot) stay.
        Assert.Null(result.Skipped);
        Assert.Equal(8, result.Total);
        Assert.All(Enum.GetValues<SourceSystem>(), s => Assert.Equal(2, result.Deleted[s]));
        Assert.Equal(8, result.OutcomesDeleted);
        Assert.Equal("AC3,AK3,AO3,AS3,BC1,BC2,BC3,BK1,BK2,BK3,BO1,BO2,BO3,BS1,BS2,BS3", await RemainingAsync());
        Assert.Equal(16, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes WHERE source_event_id IN ('AS1', 'AK2', 'AO1', 'AC2')"));
    }

    [Fact]
    public async Task Run_WhileAnotherRunHoldsTheLock_ReturnsAtOnceAndDeletesNothing()
    {
        await StoreAsync("A");
        await SnapshotHereAsync(pass: 1);
        await using var other = await _db.DataSource.OpenConnectionAsync();
        await using (var cmd = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(122515878995316)", other)) await cmd.ExecuteNonQueryAsync();

        var result = await new SignalRetention(_db.DataSource, TimeProvider.System).RunAsync(TimeSpan.FromDays(90), 100, default);

        Assert.Contains("another retention run", result.Skipped);
        Assert.Equal(12, await _db.ScalarAsync<long>("SELECT (SELECT count(*) FROM scada_events) + (SELECT count(*) FROM kaifa_events) + (SELECT count(*) FROM onu_events) + (SELECT count(*) FROM callcenter_tickets)"));
    }

    [Theory]
    [InlineData(0, 100, "horizon")]
    [InlineData(90, 0, "batch size")]
    public async Task Run_BadSettings_AreRefusedBeforeAnythingIsDeleted(int days, int batch, string expected)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            new SignalRetention(_db.DataSource, TimeProvider.System).RunAsync(TimeSpan.FromDays(days), batch, default));

        Assert.Contains(expected, error.Message);
    }
}
