using System.Globalization;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Import;
using OmsDashboard.Data.Ingestion;
using OmsDashboard.Data.Operations;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Topology;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Correlation;

/// <summary>
/// Engine snapshots stored by the pass (ADR 0013) on a real database: a rebuild restores the newest
/// usable snapshot and replays what followed; it ends where a full replay ends; an unusable
/// snapshot is passed over with a warning.
/// </summary>
public sealed class EngineSnapshotPassTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);
    private static readonly SnapshotPolicy Often = new(TimeSpan.MaxValue, 40, 3);
    private static readonly Lazy<NetworkTopology> Ieee = new(() =>
    {
        using var nodes = new StreamReader(RepoPaths.Feeder("ieee8500", "nodes.csv"));
        using var assets = new StreamReader(RepoPaths.Feeder("ieee8500", "assets.csv"));
        return TopologyFiles.Parse(nodes, "nodes.csv", assets, "assets.csv").Network!;
    });

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await NewDatabaseAsync("snapshots");

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static async Task<TestDatabase> NewDatabaseAsync(string purpose)
    {
        var db = await TestDatabase.CreateMigratedAsync(purpose);
        var imported = await new TopologyImporter(db.DataSource).ImportFilesAsync(RepoPaths.Feeder("ieee8500", "nodes.csv"), RepoPaths.Feeder("ieee8500", "assets.csv"));
        Assert.True(imported.Succeeded);
        // Storm mode forced on: the rule set does not depend on when storm mode would have switched
        // (a full replay evaluates it at other instants than the live passes did; ADR 0007).
        await db.ExecuteAsync("UPDATE oms_storm_mode_settings SET manual_override = 'on', updated_at = now() WHERE id = 1");
        return db;
    }

    /// <summary>A seeded storm on the IEEE feeder: receive-ordered signals.</summary>
    private static IReadOnlyList<Signal> Storm()
    {
        var net = Ieee.Value;
        var specs = StormScenarios.Random(net, 3, 60, T0, TimeSpan.FromMinutes(40), ScenarioMix.Default);
        return [.. new StormSimulator(net, SimulatorOptions.Default, 3).Simulate(specs).Signals.OrderBy(s => s.ReceivedAt)];
    }

    /// <summary>Stores the signals received in (from, to] through the ingestion store, then runs a pass as of <paramref name="to"/>.</summary>
    private static async Task FeedAsync(TestDatabase db, CorrelationPass pass, IReadOnlyList<Signal> storm, DateTimeOffset from, DateTimeOffset to)
    {
        var store = new SignalStore(db.DataSource);
        foreach (var group in storm.Where(s => s.ReceivedAt > from && s.ReceivedAt <= to).GroupBy(s => s.Source))
        {
            await store.StoreAsync(group.Key, [.. group.Select(s => new IncomingSignal
            {
                Id = s.SourceId, Type = s.TypeName, OccurredAt = s.OccurredAt, ReceivedAt = s.ReceivedAt,
                AssetId = s.AssetId, AccountNumber = s.AccountNumber, Lat = s.Lat, Lon = s.Lon,
            })]);
        }
        await pass.RunAsync(to);
    }

    /// <summary>Feeds the storm in 2-minute windows from <paramref name="from"/> to <paramref name="to"/>; returns <paramref name="to"/>.</summary>
    private static async Task<DateTimeOffset> FeedWindowsAsync(TestDatabase db, CorrelationPass pass, IReadOnlyList<Signal> storm, DateTimeOffset from, DateTimeOffset to)
    {
        for (var t = from; t < to; t += TimeSpan.FromMinutes(2))
        {
            await FeedAsync(db, pass, storm, t, t + TimeSpan.FromMinutes(2) < to ? t + TimeSpan.FromMinutes(2) : to);
        }
        return to;
    }

    /// <summary>An operator confirms the oldest unconfirmed outage and sets an ETR on the next one (stored, taken in by the next pass).</summary>
    private static async Task ActAsync(TestDatabase db, DateTimeOffset at)
    {
        var open = new List<Guid>();
        await using (var cmd = db.DataSource.CreateCommand("SELECT id FROM oms_outage_events WHERE status IN ('unconfirmed', 'probable', 'confirmed') ORDER BY number LIMIT 2"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) open.Add(reader.GetGuid(0));
        }
        Assert.Equal(2, open.Count);
        Assert.Null((await OperatorActionStore.AddAsync(db.DataSource, new OperatorActionRequest(open[0], OperatorActionType.Confirm, "op", "crew saw it", At: at), default)).Error);
        Assert.Null((await OperatorActionStore.AddAsync(db.DataSource, new OperatorActionRequest(open[1], OperatorActionType.SetEtr, "op", Etr: at.AddHours(3), At: at), default)).Error);
    }

    /// <summary>Outages (by number), their evidence rows, timeline and the signal outcomes: everything a rebuild must reproduce.</summary>
    private static Task<string> OutagesAsync(TestDatabase db) => db.ScalarAsync<string>("""
        SELECT (SELECT coalesce(string_agg(concat_ws(' ', o.number, o.event_id, o.status, o.severity, o.device_id, o.affected_customers_count, o.confidence_score,
                    o.first_detected_at, o.confirmed_at, o.probable_at, o.restored_at, o.etr, o.has_hazard, p.number, m.number, o.explanation::text), E'\n' ORDER BY o.number), '')
                  FROM oms_outage_events o LEFT JOIN oms_outage_events p ON p.id = o.parent_outage_id LEFT JOIN oms_outage_events m ON m.id = o.merged_into_id)
            || E'\n--\n' || (SELECT coalesce(string_agg(s.source_type || ':' || s.source_event_id || '>' || o.number || ' ' || s.weight, ',' ORDER BY s.source_type, s.source_event_id), '')
                  FROM oms_event_sources s JOIN oms_outage_events o ON o.id = s.outage_event_id)
            || E'\n--\n' || (SELECT coalesce(string_agg(concat_ws(' ', o.number, t.occurred_at, t.entry_type, t.from_status, t.to_status, t.description, t.actor), E'\n'
                    ORDER BY o.number, t.occurred_at, t.entry_type, t.description), '')
                  FROM oms_event_timeline t JOIN oms_outage_events o ON o.id = t.outage_event_id)
            || E'\n--\n' || (SELECT coalesce(string_agg(source_event_id || ' ' || state || ' ' || coalesce(note, '-'), ',' ORDER BY source_type, source_event_id), '') FROM oms_signal_outcomes)
            || E'\n--\n' || (SELECT string_agg(source_type || '=' || seq, ',' ORDER BY source_type) FROM oms_correlation_watermarks)
            || ' next ' || (SELECT next_outage_number FROM oms_correlation_state)
        """);

    private static string Describe(CorrelationEngine engine) => string.Join('\n', engine.Outages.Select(o => string.Create(CultureInfo.InvariantCulture,
        $"{o.Number} {o.EventId} {o.Status} {engine.Network.Ids[o.Device]} {o.FirstDetectedAt:O} {o.ConfirmedAt:O} {o.RestoredAt:O} {o.Confidence:R} {o.AffectedCustomers} {o.Parent?.Number} {o.MergedInto?.Number} {o.Etr:O}")
        + (o.IsActive ? " | " + string.Join(',', o.Evidence.Select(e => e.SourceId).Order(StringComparer.Ordinal)) + " | " + string.Join(" / ", o.Timeline.Select(t => $"{t.At:O} {t.Description} {t.Actor}")) : "")))
        + $"\nnext {engine.NextOutageNumber} pending {engine.PendingSignals} clock {engine.Clock:O}";

    [Fact]
    public async Task Restart_MidStorm_RebuildFromSnapshotWritesWhatAFullReplayWrites()
    {
        // Arrange: the same storm into two databases, with a restart at two thirds; the first
        // database's passes write snapshots, the second's never do (its restart replays everything).
        var storm = Storm();
        var end = storm[^1].ReceivedAt + TimeSpan.FromMinutes(10);
        var cut = T0 + (end - T0) * 2 / 3;
        await using var other = await NewDatabaseAsync("snapshots_full");
        var results = new List<(string Outages, CorrelationPass Restarted)>();
        foreach (var (db, policy) in new[] { (_db, Often), (other, SnapshotPolicy.Never) })
        {
            var first = new CorrelationPass(db.DataSource, TimeProvider.System) { Snapshots = policy };
            var at = await FeedWindowsAsync(db, first, storm, T0.AddMinutes(-1), T0 + (end - T0) / 3);
            await ActAsync(db, at);
            at = await FeedWindowsAsync(db, first, storm, at, cut);
            // An action after the last snapshot: the restart must replay it (its pass writes no snapshot).
            var quiet = new CorrelationPass(db.DataSource, TimeProvider.System) { Snapshots = SnapshotPolicy.Never };
            await ActAsync(db, at);
            await quiet.RunAsync(at);

            // Act: a restart (a new process) carries on to the end of the storm.
            var restarted = new CorrelationPass(db.DataSource, TimeProvider.System) { Snapshots = policy };
            await FeedWindowsAsync(db, restarted, storm, at, end);
            results.Add((await OutagesAsync(db), restarted));
            // What the passes remembered as written, also after the rebuild, was exact: no COPY
            // of evidence taken for new found its key stored.
            Assert.Equal((0, 0, 0), (first.EvidenceCopyConflicts, quiet.EvidenceCopyConflicts, restarted.EvidenceCopyConflicts));
        }

        // Assert
        var fromSnapshot = results[0].Restarted.LastRebuild!;
        var fullReplay = results[1].Restarted.LastRebuild!;
        Assert.True(fromSnapshot.SnapshotId is not null, string.Join("; ", fromSnapshot.Warnings));
        Assert.Null(fullReplay.SnapshotId);
        Assert.Empty(fromSnapshot.Warnings);
        Assert.True(fromSnapshot.SignalsReplayed < fullReplay.SignalsReplayed / 2,
            $"replayed {fromSnapshot.SignalsReplayed} signals after the snapshot, {fullReplay.SignalsReplayed} in full");
        Assert.Equal(2, fromSnapshot.ActionsReplayed);
        Assert.Equal(4, fullReplay.ActionsReplayed);
        Assert.True(await _db.ScalarAsync<long>("SELECT count(*) FROM oms_engine_snapshots") is >= 2 and <= 3);
        Assert.Equal(0, await other.ScalarAsync<long>("SELECT count(*) FROM oms_engine_snapshots"));
        Assert.True(await _db.ScalarAsync<long>("SELECT count(*) FROM oms_outage_events") >= 10);
        Assert.Equal(results[1].Outages, results[0].Outages);
        Assert.Equal(Describe(results[1].Restarted.Engine!), Describe(results[0].Restarted.Engine!));
    }

    [Fact]
    public async Task Rebuild_NewestSnapshotCorrupt_UsesTheOlderOneWithAWarning_AllUnusable_ReplaysInFull()
    {
        var storm = Storm();
        var pass = new CorrelationPass(_db.DataSource, TimeProvider.System) { Snapshots = Often };
        var at = await FeedWindowsAsync(_db, pass, storm, T0.AddMinutes(-1), T0.AddMinutes(30));
        string expected = Describe(pass.Engine!);
        string stored = await OutagesAsync(_db);
        var ids = new List<long>();
        await using (var cmd = _db.DataSource.CreateCommand("SELECT id FROM oms_engine_snapshots ORDER BY pass DESC"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        }
        Assert.True(ids.Count >= 2, $"{ids.Count} snapshots, {storm.Count} signals, stored {await _db.ScalarAsync<long>("SELECT count(*) FROM kaifa_events")} kaifa, passes {await _db.ScalarAsync<long>("SELECT passes FROM oms_correlation_state")}, first {storm[0].ReceivedAt:O} last {storm[^1].ReceivedAt:O}");

        // A flipped byte in the newest: the older one is used, with a warning.
        await _db.ExecuteAsync($"UPDATE oms_engine_snapshots SET state = set_byte(state, octet_length(state) / 2, get_byte(state, octet_length(state) / 2) # 255) WHERE id = {ids[0]}");
        var second = new CorrelationPass(_db.DataSource, TimeProvider.System) { Snapshots = SnapshotPolicy.Never };
        await second.RunAsync(at);

        Assert.Equal(ids[1], second.LastRebuild!.SnapshotId);
        Assert.Contains(second.LastRebuild.Warnings, w => w.Contains($"snapshot {ids[0]}") && w.Contains("checksum"));
        Assert.Equal(expected, Describe(second.Engine!));
        Assert.Equal(stored, await OutagesAsync(_db));

        // Every snapshot unusable (another format, a truncated row): a full replay, with warnings, not a crash.
        await _db.ExecuteAsync($"UPDATE oms_engine_snapshots SET format_version = 0 WHERE id <> {ids[^1]}");
        await _db.ExecuteAsync($"UPDATE oms_engine_snapshots SET state = substring(state from 1 for 100), size_bytes = 100 WHERE id = {ids[^1]}");
        var third = new CorrelationPass(_db.DataSource, TimeProvider.System) { Snapshots = SnapshotPolicy.Never };
        await third.RunAsync(at);

        Assert.Null(third.LastRebuild!.SnapshotId);
        Assert.Equal(ids.Count, third.LastRebuild.Warnings.Count);
        Assert.Contains(third.LastRebuild.Warnings, w => w.Contains("format version 0"));
        Assert.Contains(third.LastRebuild.Warnings, w => w.Contains("truncated"));
        Assert.Equal(expected, Describe(third.Engine!));
        Assert.Equal(stored, await OutagesAsync(_db));
    }

    [Fact]
    public async Task Run_RulesChangedAfterTheSnapshot_RebuildsFromItUnderTheNewRules()
    {
        await _db.StoreLastGaspsBelowAsync(StoredSignals.IeeeFuse, T0, "KF");
        var pass = new CorrelationPass(_db.DataSource, TimeProvider.System);
        await pass.RunAsync(T0.AddSeconds(30));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_engine_snapshots"));

        // Certainty required to confirm (only SCADA reaches it), in the storm rule set forced on.
        await _db.ExecuteAsync("UPDATE oms_correlation_rules SET confidence_threshold = 1.0, updated_at = now() WHERE name = 'storm'");
        await pass.RunAsync(T0.AddMinutes(5));

        Assert.NotNull(pass.LastRebuild!.SnapshotId);
        Assert.Equal(0, pass.LastRebuild.SignalsReplayed);
        Assert.Equal(1.0, pass.Engine!.Options.Storm.ConfidenceThreshold);
        Assert.NotEqual("confirmed", await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"));
    }
}
