using Npgsql;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Import;
using OmsDashboard.Data.Rules;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Rules;

/// <summary>
/// Saving rules, weights, storm thresholds and the storm override on a real database: values and
/// audit rows in one transaction or not at all, server-side validation, optimistic concurrency,
/// and the next correlation pass running on what was saved.
/// </summary>
public sealed class RulesStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);
    private static readonly string StandardRadius = RuleCatalog.Id("rule", "standard", RuleCatalog.Radius);
    private static readonly string StandardWindow = RuleCatalog.Id("rule", "standard", RuleCatalog.TimeWindow);
    private static readonly string StandardThreshold = RuleCatalog.Id("rule", "standard", RuleCatalog.Threshold);
    private static readonly string KaifaWeight = RuleCatalog.Id("source_weight", "kaifa", RuleCatalog.Weight);
    private static readonly string Activation = RuleCatalog.Id("storm_settings", "storm", RuleCatalog.Activation);
    private static readonly string Deactivation = RuleCatalog.Id("storm_settings", "storm", RuleCatalog.Deactivation);

    private TestDatabase _db = null!;
    private RulesStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateMigratedAsync("rules");
        _store = new RulesStore(_db.DataSource);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static Dictionary<string, decimal?> Edit(RulesSnapshot basis, params (string Id, decimal? Value)[] changes)
    {
        var values = basis.Values.ToDictionary(kv => kv.Key, kv => (decimal?)kv.Value);
        foreach (var (id, value) in changes) values[id] = value;
        return values;
    }

    private Task<long> AuditRows() => _db.ScalarAsync<long>("SELECT count(*) FROM oms_configuration_audit");

    [Fact]
    public async Task Load_FreshDatabase_HasTheDesignValuesForEverySetting()
    {
        var snapshot = await _store.LoadAsync();

        Assert.All(RuleCatalog.All, s => Assert.Equal(s.Default, snapshot.Values[s.Id]));
        Assert.Equal(StormOverride.Automatic, snapshot.Override);
        Assert.False(snapshot.Storm.Active);
    }

    [Fact]
    public async Task Save_ChangedValues_WritesTheSettingsAndOneAuditRowEach()
    {
        var basis = await _store.LoadAsync();

        var outcome = await _store.SaveAsync(basis, Edit(basis, (StandardRadius, 1500), (KaifaWeight, 0.75m)), "alice", "  AMI mesh degraded  ");

        Assert.Equal((SaveStatus.Saved, 2), (outcome.Status, outcome.Changed));
        Assert.Equal(1500, await _db.ScalarAsync<double>("SELECT spatial_radius_meters FROM oms_correlation_rules WHERE name = 'standard'"));
        Assert.Equal("alice", await _db.ScalarAsync<string>("SELECT updated_by FROM oms_correlation_rules WHERE name = 'standard'"));
        Assert.Equal(0.75m, await _db.ScalarAsync<decimal>("SELECT weight FROM oms_source_weights WHERE source_type = 'kaifa'"));
        Assert.Equal(
            "alice|rule|standard|spatial_radius_meters|1000|1500|AMI mesh degraded;alice|source_weight|kaifa|weight|0.80|0.75|AMI mesh degraded",
            await _db.ScalarAsync<string>("""
                SELECT string_agg(concat_ws('|', user_name, entity, key, field, old_value, new_value, reason), ';' ORDER BY entity, key)
                  FROM oms_configuration_audit
                """));
        var page = await _store.AuditAsync(0, 10);
        Assert.Equal(2, page.Total);
    }

    [Fact]
    public async Task Save_AuditRowCannotBeWritten_NothingIsSaved()
    {
        var basis = await _store.LoadAsync();
        // The audit insert fails after the setting's update ran: both must roll back together.
        await _db.ExecuteAsync("""
            CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
            CREATE TRIGGER test_refuse_audit BEFORE INSERT ON oms_configuration_audit FOR EACH ROW EXECUTE FUNCTION test_refuse_audit();
            """);

        await Assert.ThrowsAsync<PostgresException>(() => _store.SaveAsync(basis, Edit(basis, (StandardRadius, 1500)), "alice", null));

        Assert.Equal(1000, await _db.ScalarAsync<double>("SELECT spatial_radius_meters FROM oms_correlation_rules WHERE name = 'standard'"));
    }

    [Fact]
    public async Task Save_InvalidValues_RefusedWithAnErrorPerFieldAndNothingWritten()
    {
        var basis = await _store.LoadAsync();

        var outcome = await _store.SaveAsync(basis, Edit(basis,
            (StandardRadius, 20), (StandardWindow, 2.5m), (StandardThreshold, 1.5m), (KaifaWeight, null), (Deactivation, 100)), "mallory", new string('x', 501));

        Assert.Equal(SaveStatus.Invalid, outcome.Status);
        Assert.Equal(
            new[] { RulesValidator.ReasonKey, StandardRadius, StandardThreshold, StandardWindow, KaifaWeight, Deactivation }.Order(),
            outcome.Errors.Keys.Order());
        Assert.StartsWith("Between 50 m and 10,000 m", outcome.Errors[StandardRadius], StringComparison.Ordinal);
        Assert.Equal("A whole number, please.", outcome.Errors[StandardWindow]);
        Assert.Contains("below the switch-on threshold (100 signals/h)", outcome.Errors[Deactivation], StringComparison.Ordinal);
        Assert.Equal(1000, await _db.ScalarAsync<double>("SELECT spatial_radius_meters FROM oms_correlation_rules WHERE name = 'standard'"));
        Assert.Equal(50, await _db.ScalarAsync<int>("SELECT deactivation_signals_per_hour FROM oms_storm_mode_settings"));
        Assert.Equal(0, await AuditRows());
    }

    [Fact]
    public async Task Save_SameRowChangedBySomeoneElse_IsAConflictAndKeepsTheirValue()
    {
        var alice = await _store.LoadAsync();
        var bob = await _store.LoadAsync();
        Assert.Equal(SaveStatus.Saved, (await _store.SaveAsync(alice, Edit(alice, (StandardRadius, 1500)), "alice", null)).Status);

        var outcome = await _store.SaveAsync(bob, Edit(bob, (StandardWindow, 45)), "bob", null);

        Assert.Equal(SaveStatus.Conflict, outcome.Status);
        Assert.Contains("Someone else changed the standard rule set", outcome.Message, StringComparison.Ordinal);
        Assert.Equal((1500.0, 30.0), (
            await _db.ScalarAsync<double>("SELECT spatial_radius_meters FROM oms_correlation_rules WHERE name = 'standard'"),
            await _db.ScalarAsync<double>("SELECT extract(epoch FROM time_window)::float8 / 60 FROM oms_correlation_rules WHERE name = 'standard'")));
        Assert.Equal(1, await AuditRows());

        // Reloaded, bob's change goes through.
        var reloaded = await _store.LoadAsync();
        Assert.Equal(SaveStatus.Saved, (await _store.SaveAsync(reloaded, Edit(reloaded, (StandardWindow, 45)), "bob", null)).Status);
    }

    [Fact]
    public async Task Save_ConflictOnOneRow_SavesNoneOfTheOtherRows()
    {
        var alice = await _store.LoadAsync();
        var bob = await _store.LoadAsync();
        await _store.SaveAsync(alice, Edit(alice, (Activation, 150)), "alice", null);

        var outcome = await _store.SaveAsync(bob, Edit(bob, (KaifaWeight, 0.7m), (Deactivation, 40)), "bob", null);

        Assert.Equal(SaveStatus.Conflict, outcome.Status);
        Assert.Equal(0.8m, await _db.ScalarAsync<decimal>("SELECT weight FROM oms_source_weights WHERE source_type = 'kaifa'"));
        Assert.Equal(1, await AuditRows());
    }

    [Fact]
    public async Task StormOverride_ForcedOn_PersistedAuditedAndStormModeOnAtOnce()
    {
        var basis = await _store.LoadAsync();

        var outcome = await _store.SetStormOverrideAsync(StormOverride.On, "Hurricane warning for the county", "alice", basis.StormSettingsVersion);

        Assert.Equal(SaveStatus.Saved, outcome.Status);
        Assert.Equal("on", await _db.ScalarAsync<string>("SELECT manual_override FROM oms_storm_mode_settings"));
        Assert.Equal("alice|storm_override|storm|manual_override|automatic|forced on|Hurricane warning for the county", await _db.ScalarAsync<string>(
            "SELECT concat_ws('|', user_name, entity, key, field, old_value, new_value, reason) FROM oms_configuration_audit"));
        Assert.Equal((true, "storm", "forced on by alice: Hurricane warning for the county"), (outcome.Storm!.Active, outcome.Storm.RuleSet, outcome.Storm.Reason));
        Assert.True(await _db.ScalarAsync<bool>("SELECT is_active FROM oms_storm_mode_state"));
        Assert.Equal(StormOverride.On, (await _store.LoadAsync()).Override);
    }

    [Theory]
    [InlineData(null), InlineData("   ")]
    public async Task StormOverride_WithoutAReason_IsRefused(string? reason)
    {
        var basis = await _store.LoadAsync();

        var outcome = await _store.SetStormOverrideAsync(StormOverride.On, reason, "alice", basis.StormSettingsVersion);

        Assert.Equal(SaveStatus.Invalid, outcome.Status);
        Assert.True(outcome.Errors.ContainsKey(RulesValidator.ReasonKey));
        Assert.False(await _db.ScalarAsync<bool>("SELECT manual_override IS NOT NULL FROM oms_storm_mode_settings"));
        Assert.Equal(0, await AuditRows());
    }

    [Fact]
    public async Task StormOverride_AfterTheThresholdsChanged_IsAConflict()
    {
        var stale = await _store.LoadAsync();
        var fresh = await _store.LoadAsync();
        await _store.SaveAsync(fresh, Edit(fresh, (Activation, 200)), "bob", null);

        var outcome = await _store.SetStormOverrideAsync(StormOverride.Off, "calm", "alice", stale.StormSettingsVersion);

        Assert.Equal(SaveStatus.Conflict, outcome.Status);
        Assert.False(await _db.ScalarAsync<bool>("SELECT manual_override IS NOT NULL FROM oms_storm_mode_settings"));
    }

    [Fact]
    public async Task Audit_IsNewestFirstAndPaged()
    {
        for (int radius = 1100; radius <= 1500; radius += 100)
        {
            var basis = await _store.LoadAsync();
            await _store.SaveAsync(basis, Edit(basis, (StandardRadius, radius)), "alice", $"step {radius}");
        }

        var first = await _store.AuditAsync(0, 2);
        var last = await _store.AuditAsync(2, 2);

        Assert.Equal(5, first.Total);
        Assert.Equal(["1500", "1400"], first.Entries.Select(e => e.NewValue));
        Assert.Equal([("1000", "1100")], last.Entries.Select(e => (e.OldValue, e.NewValue)));
    }

    /// <summary>The correlation pass on the IEEE feeder, with a fuse fault's last gasps stored.</summary>
    private async Task<CorrelationPass> PassWithFuseFaultAsync()
    {
        var imported = await new TopologyImporter(_db.DataSource).ImportFilesAsync(RepoPaths.Feeder("ieee8500", "nodes.csv"), RepoPaths.Feeder("ieee8500", "assets.csv"));
        Assert.True(imported.Succeeded);
        await _db.StoreLastGaspsBelowAsync(StoredSignals.IeeeFuse, T0, "KF");
        var pass = new CorrelationPass(_db.DataSource, TimeProvider.System);
        await pass.RunAsync(T0.AddSeconds(30));
        return pass;
    }

    [Fact]
    public async Task NextPass_AfterAThresholdSaved_RunsOnTheSavedRule()
    {
        var pass = await PassWithFuseFaultAsync();
        var basis = await _store.LoadAsync();
        // Certainty: only SCADA reaches it, so the meters' fuse outage must stay unconfirmed.
        Assert.Equal(SaveStatus.Saved, (await _store.SaveAsync(basis, Edit(basis, (StandardThreshold, 1.0m)), "alice", null)).Status);

        await pass.RunAsync(T0.AddMinutes(5));

        Assert.Equal(1.0, pass.Engine!.Options.Standard.ConfidenceThreshold);
        Assert.Equal("unconfirmed", await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"));
    }

    [Fact]
    public async Task NextPass_AfterStormForcedOnThenBackToAutomatic_SwitchesTheRuleSetAndTheStoredState()
    {
        var pass = await PassWithFuseFaultAsync();
        var basis = await _store.LoadAsync();
        await _store.SetStormOverrideAsync(StormOverride.On, "Hurricane warning", "alice", basis.StormSettingsVersion);

        await pass.RunAsync(T0.AddMinutes(5));

        Assert.True(pass.Engine!.Storm.Active);
        Assert.Equal("storm", await _db.ScalarAsync<string>("SELECT explanation->>'ruleSet' FROM oms_outage_events"));
        Assert.Equal("forced on by alice: Hurricane warning", await _db.ScalarAsync<string>("SELECT reason FROM oms_storm_mode_state"));

        var forced = await _store.LoadAsync();
        await _store.SetStormOverrideAsync(StormOverride.Automatic, "Warning lifted", "alice", forced.StormSettingsVersion);
        Assert.True(await _db.ScalarAsync<bool>("SELECT is_active FROM oms_storm_mode_state"));
        await pass.RunAsync(T0.AddMinutes(6));

        // A handful of last gasps is far below 100 signals an hour: the rebuilt engine is out of
        // storm mode, and the pass writes that although the replay made the switch.
        Assert.False(pass.Engine!.Storm.Active);
        Assert.Equal((false, "standard"), (
            await _db.ScalarAsync<bool>("SELECT is_active FROM oms_storm_mode_state"),
            await _db.ScalarAsync<string>("SELECT active_rule_set FROM oms_storm_mode_state")));
        Assert.False(pass.LastStormCorrection!.Active);
    }
}
