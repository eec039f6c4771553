using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Import;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Correlation;

/// <summary>
/// The correlation pass on a real database: signals stored in the source tables come out as
/// outages with sources, timeline and signal states, in one transaction; passes are idempotent,
/// survive a restart, and a pass killed half-way loses and doubles nothing.
/// </summary>
public sealed class CorrelationPassTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);
    private const string Fuse = StoredSignals.IeeeFuse;
    private TestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateMigratedAsync("pass");
        var imported = await new TopologyImporter(_db.DataSource).ImportFilesAsync(RepoPaths.Feeder("ieee8500", "nodes.csv"), RepoPaths.Feeder("ieee8500", "assets.csv"));
        Assert.True(imported.Succeeded);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private CorrelationPass NewPass() => new(_db.DataSource, TimeProvider.System);

    /// <summary>Last gasps from three quarters of the fuse's meters at T0, stored as the ingestion path would.</summary>
    private Task<int> StoreFuseFault() => _db.StoreLastGaspsBelowAsync(Fuse, T0, "KF");

    private Task<string> Fingerprint() => _db.ScalarAsync<string>("""
        SELECT (SELECT md5(coalesce(string_agg(o::text, '|' ORDER BY number), '')) FROM (SELECT number, event_id, status, device_id, affected_customers_count, confidence_score, first_detected_at, confirmed_at, restored_at FROM oms_outage_events) o)
            || (SELECT count(*)::text FROM oms_event_sources) || '/' || (SELECT count(*)::text FROM oms_event_timeline)
            || '/' || (SELECT coalesce(string_agg(source_event_id || outage_event_id::text, ',' ORDER BY source_event_id), '') FROM oms_event_sources)
            || '/' || (SELECT coalesce(string_agg(source_event_id || state || coalesce(note, '-'), ',' ORDER BY source_event_id), '') FROM oms_signal_outcomes)
            || '/' || (SELECT string_agg(source_type || '=' || seq, ',' ORDER BY source_type) FROM oms_correlation_watermarks)
        """);

    /// <summary>Whether the pass's watermark for Kaifa covers every stored Kaifa signal (all taken in).</summary>
    private Task<bool> AllKaifaTakenIn() => _db.ScalarAsync<bool>(
        "SELECT (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'kaifa') >= (SELECT max(seq) FROM kaifa_events)");

    [Fact]
    public async Task Run_StoredFuseFault_WritesThePredictedOutageWithSourcesAndTimeline()
    {
        int gasps = await StoreFuseFault();

        var result = await NewPass().RunAsync(T0.AddMinutes(5));

        Assert.Equal((gasps, 1), (result.ProcessedSignals, result.Created));
        Assert.Equal(("confirmed", Fuse, "fuse", 1L), (
            await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"),
            await _db.ScalarAsync<string>("SELECT device_id FROM oms_outage_events"),
            await _db.ScalarAsync<string>("SELECT device_kind FROM oms_outage_events"),
            await _db.ScalarAsync<long>("SELECT number FROM oms_outage_events")));
        Assert.Equal(T0, await _db.ScalarAsync<DateTimeOffset>("SELECT first_detected_at FROM oms_outage_events"));
        Assert.Equal(gasps, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources WHERE source_type = 'kaifa'"));
        Assert.Equal(gasps, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources s JOIN oms_outage_events o ON o.id = s.outage_event_id WHERE o.number = 1"));
        Assert.True(await AllKaifaTakenIn());
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes"));
        // The signal rows themselves are not written by the pass (ADR 0010).
        Assert.Equal(gasps, await _db.ScalarAsync<long>("SELECT count(*) FROM kaifa_events WHERE correlation_state = 'pending' AND outage_event_id IS NULL"));
        Assert.Equal("created,status_changed", await _db.ScalarAsync<string>("SELECT string_agg(entry_type, ',' ORDER BY occurred_at, id) FROM oms_event_timeline"));
        Assert.Equal("roll_up", await _db.ScalarAsync<string>("SELECT explanation->>'rule' FROM oms_outage_events"));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_active_outages"));
    }

    [Fact]
    public async Task Run_InsideTheHold_QueuesTheSignalsAndOpensNothingYet()
    {
        int gasps = await StoreFuseFault();

        var result = await NewPass().RunAsync(T0.AddSeconds(30));

        Assert.Equal((0, 0), (result.ProcessedSignals, result.Created));
        Assert.True(gasps > 0 && await AllKaifaTakenIn());
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_outage_events"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources"));
    }

    [Fact]
    public async Task Run_InsideTheHoldThenAfterIt_ThePassAfterTheHoldOpensTheOutageFromTheTakenInSignals()
    {
        int gasps = await StoreFuseFault();
        var pass = NewPass();
        await pass.RunAsync(T0.AddSeconds(30));

        var result = await pass.RunAsync(T0.AddMinutes(5));

        Assert.Equal((gasps, 1), (result.ProcessedSignals, result.Created));
        Assert.Equal(gasps, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources"));
    }

    [Fact]
    public async Task Run_UnknownMeterAndUnknownDevice_RecordsWhyAsOutcomesNotEvidence()
    {
        await StoreFuseFault();
        await _db.ExecuteAsync($"""
            INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('KF-GHOST', 'NO-SUCH-METER', 'last_gasp', '{T0:O}', '{T0:O}');
            INSERT INTO scada_events (event_id, device_id, event_type, occurred_at, received_at) VALUES ('SC-ALARM', '{Fuse}', 'alarm', '{T0:O}', '{T0:O}');
            """);

        await NewPass().RunAsync(T0.AddMinutes(5));

        Assert.Equal("KF-GHOST unmatched unknown meter 'NO-SUCH-METER'|SC-ALARM unmatched SCADA alarm: informational", await _db.ScalarAsync<string>(
            "SELECT string_agg(source_event_id || ' ' || state || ' ' || note, '|' ORDER BY source_event_id) FROM oms_signal_outcomes"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources WHERE source_event_id IN ('KF-GHOST', 'SC-ALARM')"));
    }

    [Fact]
    public async Task Run_WhileAnIngestionBatchWithALowerSeqIsUncommitted_WaitsForItAndLosesNeitherSignal()
    {
        // Two last gasps: the first draws its seq in a transaction left open, the second commits
        // at once with a higher seq. A pass that moved its watermark past the second without the
        // first would never read the first.
        string[] meters = [.. (await _db.ScalarAsync<string>("SELECT string_agg(id, ',' ORDER BY id) FROM (SELECT id FROM oms_smart_meters ORDER BY id LIMIT 2) m")).Split(',')];
        await using var slow = await _db.DataSource.OpenConnectionAsync();
        await using var batch = await slow.BeginTransactionAsync();
        await using (var insert = new Npgsql.NpgsqlCommand($"INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('KF-SLOW', '{meters[0]}', 'last_gasp', '{T0:O}', '{T0:O}')", slow, batch))
        {
            await insert.ExecuteNonQueryAsync();
        }
        await _db.ExecuteAsync($"INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('KF-FAST', '{meters[1]}', 'last_gasp', '{T0:O}', '{T0:O}')");
        var pass = NewPass();

        var running = pass.RunAsync(T0.AddMinutes(5));
        // Let the pass get as far as it can: done, or waiting for the open batch's lock.
        while (!running.IsCompleted && await _db.ScalarAsync<long>(
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%LOCK TABLE scada_events%'") == 0)
        {
            await Task.Delay(20);
        }
        await batch.CommitAsync();
        await running;
        await pass.RunAsync(T0.AddMinutes(5));

        Assert.Equal("KF-FAST,KF-SLOW", await _db.ScalarAsync<string>("""
            SELECT string_agg(id, ',' ORDER BY id) FROM (
              SELECT source_event_id AS id FROM oms_event_sources UNION ALL SELECT source_event_id FROM oms_signal_outcomes) s
            """));
    }

    [Fact]
    public async Task Run_EvidenceKeyStoredThatThePassDoesNotKnow_UpsertsItInsteadOfFailing()
    {
        // A row the pass's memory cannot know of: the key of one of the gasps already stored as
        // evidence of another outage, with an outcome row (as a signal re-sent after retention
        // deleted its row finds it, or one read again after the PassWrites migration).
        int gasps = await StoreFuseFault();
        await _db.ExecuteAsync($"""
            INSERT INTO oms_outage_events (event_id, status, severity, confidence_score, affected_customers_count, first_detected_at, has_hazard)
            VALUES ('OUT-OLD', 'restored', 'low', 0.5, 1, '{T0.AddDays(-100):O}', false);
            INSERT INTO oms_event_sources (outage_event_id, source_type, source_event_id, signal_type, detected_at, received_at, weight, correlated_at)
            SELECT (SELECT id FROM oms_outage_events WHERE event_id = 'OUT-OLD'), 'kaifa', event_id, 'last_gasp', occurred_at, received_at, 0.5, now()
              FROM kaifa_events ORDER BY event_id LIMIT 1;
            INSERT INTO oms_signal_outcomes (source_type, source_event_id, state, note, decided_at)
            SELECT 'kaifa', event_id, 'unmatched', 'earlier', now() FROM kaifa_events ORDER BY event_id LIMIT 1;
            """);
        var pass = NewPass();

        var result = await pass.RunAsync(T0.AddMinutes(5));

        Assert.Equal((gasps, 1), (result.ProcessedSignals, result.Created));
        Assert.Equal(1, pass.EvidenceCopyConflicts);
        Assert.Equal(gasps, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources"));
        Assert.Equal(gasps, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources s JOIN oms_outage_events o ON o.id = s.outage_event_id WHERE o.number = 1"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes"));
        Assert.True(await AllKaifaTakenIn());

        // The next pass carries on from the committed state.
        var again = await pass.RunAsync(T0.AddMinutes(6));
        Assert.Equal((0, 0), (again.ProcessedSignals, again.Created));
        Assert.Equal(1, pass.EvidenceCopyConflicts);
    }

    [Fact]
    public async Task Run_AgainWithNothingNew_ChangesNothing()
    {
        await StoreFuseFault();
        var pass = NewPass();
        await pass.RunAsync(T0.AddMinutes(5));
        string before = await Fingerprint();

        var again = await pass.RunAsync(T0.AddMinutes(5));

        Assert.Equal((0, 0, 0), (again.ProcessedSignals, again.Created, again.Restored));
        Assert.Equal(before, await Fingerprint());
    }

    [Fact]
    public async Task Run_AfterARestart_RebuildsFromTheDatabaseAndCarriesOn()
    {
        await StoreFuseFault();
        await NewPass().RunAsync(T0.AddMinutes(5));
        await _db.ExecuteAsync($"""
            INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at)
            SELECT 'KR-' || event_id, meter_id, 'power_restore', '{T0.AddHours(1):O}', '{T0.AddHours(1).AddSeconds(20):O}' FROM kaifa_events
            """);

        var restarted = NewPass();
        var result = await restarted.RunAsync(T0.AddHours(1).AddMinutes(5));

        Assert.Equal((0, 1), (result.Created, result.Restored));
        Assert.Equal(("restored", 1L), (await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"), await _db.ScalarAsync<long>("SELECT count(*) FROM oms_outage_events")));
        Assert.Equal(T0.AddHours(1), await _db.ScalarAsync<DateTimeOffset>("SELECT restored_at FROM oms_outage_events"));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_timeline WHERE entry_type = 'created'"));
    }

    [Theory]
    [InlineData("outages"), InlineData("timeline"), InlineData("sources"), InlineData("outcomes"), InlineData("momentaries"), InlineData("actions"), InlineData("state"),
     InlineData("snapshot"), InlineData("commit")]
    public async Task Run_KilledHalfWay_LosesNothingAndCountsNothingTwice(string step)
    {
        int gasps = await StoreFuseFault();
        // Unmatched, so that the outcomes step has something to write too.
        await _db.ExecuteAsync($"INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('KF-GHOST', 'NO-SUCH-METER', 'last_gasp', '{T0:O}', '{T0:O}')");
        string untouched = await Fingerprint();
        var pass = NewPass();
        pass.BeforeWriteStep = name => name == step ? throw new IOException($"killed before {name}") : Task.CompletedTask;

        await Assert.ThrowsAsync<IOException>(() => pass.RunAsync(T0.AddMinutes(5)));
        Assert.Equal(untouched, await Fingerprint());
        // The first pass writes a snapshot (none exists yet); killed before its commit, none is left.
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_engine_snapshots"));

        pass.BeforeWriteStep = null;
        var result = await pass.RunAsync(T0.AddMinutes(5));

        Assert.Equal((gasps + 1, 1), (result.ProcessedSignals, result.Created));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_engine_snapshots WHERE pass = 1"));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_outage_events"));
        Assert.Equal(gasps, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources"));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes"));
        Assert.Equal(2, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_timeline"));
        Assert.True(await AllKaifaTakenIn());
    }

    [Theory]
    [InlineData("outages"), InlineData("state")]
    public async Task Run_KilledInsideTheHold_TakesNothingInAndTheNextPassStillOpensTheOutage(string step)
    {
        int gasps = await StoreFuseFault();
        string untouched = await Fingerprint();
        var pass = NewPass();
        pass.BeforeWriteStep = name => name == step ? throw new IOException($"killed before {name}") : Task.CompletedTask;

        await Assert.ThrowsAsync<IOException>(() => pass.RunAsync(T0.AddSeconds(30)));
        Assert.Equal(untouched, await Fingerprint());
        Assert.False(await AllKaifaTakenIn());

        pass.BeforeWriteStep = null;
        await pass.RunAsync(T0.AddSeconds(30));
        var result = await pass.RunAsync(T0.AddMinutes(5));

        Assert.Equal((gasps, 1), (result.ProcessedSignals, result.Created));
        Assert.Equal(gasps, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources"));
    }

    [Fact]
    public async Task Run_AfterTheRulesChange_RebuildsWithTheStoredRuleSet()
    {
        await StoreFuseFault();
        var pass = NewPass();
        await pass.RunAsync(T0.AddSeconds(30));

        // An operator raises the standard confirmation threshold to certainty (only SCADA reaches it).
        await _db.ExecuteAsync("UPDATE oms_correlation_rules SET confidence_threshold = 1.0, updated_at = now() WHERE name = 'standard'");
        await pass.RunAsync(T0.AddMinutes(5));

        Assert.Equal("unconfirmed", await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"));
        Assert.Equal(1.0, pass.Engine!.Options.Standard.ConfidenceThreshold);
    }

    [Fact]
    public async Task Run_StoredStormOverride_PutsTheEngineInStormMode()
    {
        await StoreFuseFault();
        await _db.ExecuteAsync("UPDATE oms_storm_mode_settings SET manual_override = 'on', updated_at = now() WHERE id = 1");

        var pass = NewPass();
        await pass.RunAsync(T0.AddMinutes(5));

        Assert.True(pass.Engine!.Storm.Active);
        Assert.Equal("storm", await _db.ScalarAsync<string>("SELECT explanation->>'ruleSet' FROM oms_outage_events"));
    }
}
