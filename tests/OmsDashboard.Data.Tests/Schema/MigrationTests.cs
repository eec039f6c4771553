using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OmsDashboard.Data;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Schema;

/// <summary>The migrations build the design's schema from an empty database, asserted from the catalogs.</summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateMigratedAsync("schema");

    public async Task DisposeAsync() => await _db.DisposeAsync();

    public static TheoryData<string> Tables =>
    [
        "network_substations", "network_feeders", "network_devices", "network_distribution_points",
        "oms_customers", "oms_smart_meters", "oms_onu_devices",
        "callcenter_tickets", "kaifa_events", "scada_events", "onu_events",
        "oms_outage_events", "oms_event_sources", "oms_event_timeline", "oms_crews", "oms_crew_assignments",
        "oms_customer_notifications", "oms_correlation_rules", "oms_source_weights",
        "oms_storm_mode_settings", "oms_storm_mode_state", "oms_correlation_state", "oms_momentary_events", "oms_api_keys",
        "oms_correlation_watermarks", "oms_signal_outcomes", "oms_operator_actions", "oms_engine_snapshots",
        "oms_source_pollers", "oms_source_poller_rejections",
        "oms_configuration_audit",
    ];

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Migrate_EmptyDatabase_CreatesTable(string table)
    {
        long found = await _db.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_class WHERE relname = '{table}' AND relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace");
        Assert.Equal(1, found);
    }

    [Theory]
    [InlineData("network_substations"), InlineData("network_feeders"), InlineData("network_devices")]
    [InlineData("network_distribution_points"), InlineData("oms_customers"), InlineData("oms_outage_events")]
    [InlineData("callcenter_tickets"), InlineData("oms_crews")]
    public async Task Migrate_EmptyDatabase_StoresLocationsAsGeographyPointsWithGistIndex(string table)
    {
        string type = await _db.ScalarAsync<string>(
            $"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND attname = 'location'");
        Assert.Equal("geography(Point,4326)", type);
        long gist = await _db.ScalarAsync<long>($"""
            SELECT count(*) FROM pg_index i
              JOIN pg_class ix ON ix.oid = i.indexrelid JOIN pg_am am ON am.oid = ix.relam
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
             WHERE i.indrelid = '{table}'::regclass AND am.amname = 'gist' AND a.attname = 'location'
            """);
        Assert.Equal(1, gist);
    }

    [Theory]
    [InlineData("idx_oms_outage_events_detected", "CREATE INDEX idx_oms_outage_events_detected ON public.oms_outage_events USING btree (first_detected_at DESC)")]
    [InlineData("idx_oms_event_sources_correlation", "CREATE INDEX idx_oms_event_sources_correlation ON public.oms_event_sources USING btree (outage_event_id, source_type, detected_at)")]
    [InlineData("idx_oms_outage_events_location", "CREATE INDEX idx_oms_outage_events_location ON public.oms_outage_events USING gist (location)")]
    [InlineData("idx_kaifa_events_pending", "CREATE INDEX idx_kaifa_events_pending ON ONLY public.kaifa_events USING btree (occurred_at) WHERE (correlation_state = 'pending'::text)")]
    public async Task Migrate_EmptyDatabase_CreatesTheDesignsIndexes(string index, string definition)
    {
        string actual = await _db.ScalarAsync<string>($"SELECT pg_get_indexdef('{index}'::regclass)");
        Assert.Equal(definition, actual);
    }

    [Theory]
    [InlineData("scada_events", "event_id", 2)]
    [InlineData("kaifa_events", "event_id", 8)]
    [InlineData("onu_events", "event_id", 8)]
    [InlineData("callcenter_tickets", "ticket_id", 4)]
    public async Task Migrate_EmptyDatabase_HashPartitionsSourceTablesOnTheirSourceId(string table, string key, int partitions)
    {
        string strategy = await _db.ScalarAsync<string>($"SELECT pg_get_partkeydef('{table}'::regclass)");
        Assert.Equal($"HASH ({key})", strategy);
        long count = await _db.ScalarAsync<long>($"SELECT count(*) FROM pg_inherits WHERE inhparent = '{table}'::regclass");
        Assert.Equal(partitions, count);
        // The source id alone is the primary key: a duplicate is rejected exactly, in any partition.
        string pk = await _db.ScalarAsync<string>($"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{table}'::regclass AND contype = 'p'");
        Assert.Equal($"PRIMARY KEY ({key})", pk);
    }

    [Theory]
    [InlineData("oms_active_outages"), InlineData("oms_correlation_summary")]
    public async Task Migrate_EmptyDatabase_CreatesTheDesignsViews(string view)
    {
        long found = await _db.ScalarAsync<long>($"SELECT count(*) FROM pg_views WHERE viewname = '{view}' AND schemaname = 'public'");
        Assert.Equal(1, found);
    }

    [Theory]
    [InlineData("oms_correlate_events", "", "integer")]
    [InlineData("oms_correlate_event", "p_source_type text, p_source_event_id text", "uuid")]
    [InlineData("oms_classify_severity", "p_customers integer, p_confidence numeric, p_hazard boolean", "text")]
    public async Task Migrate_EmptyDatabase_CreatesCorrelationFunctions(string function, string arguments, string returns)
    {
        await using var cmd = _db.DataSource.CreateCommand(
            $"SELECT pg_get_function_arguments(oid), pg_get_function_result(oid) FROM pg_proc WHERE proname = '{function}'");
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"function {function} is missing");
        Assert.Equal(arguments, reader.GetString(0));
        Assert.Equal(returns, reader.GetString(1));
        Assert.False(await reader.ReadAsync(), $"function {function} is overloaded");
    }

    [Fact]
    public async Task Migrate_EmptyDatabase_SeedsTheDesignsRuleSets()
    {
        await using var cmd = _db.DataSource.CreateCommand(
            "SELECT name, extract(epoch FROM time_window)::int / 60, spatial_radius_meters, confidence_threshold FROM oms_correlation_rules ORDER BY id");
        await using var reader = await cmd.ExecuteReaderAsync();
        var rules = new List<(string, int, double, decimal)>();
        while (await reader.ReadAsync())
        {
            rules.Add((reader.GetString(0), reader.GetInt32(1), reader.GetDouble(2), reader.GetDecimal(3)));
        }
        Assert.Equal([("standard", 30, 1000d, 0.7m), ("storm", 60, 2000d, 0.5m), ("scada_priority", 15, 500d, 0.9m)], rules);
    }

    [Fact]
    public async Task Migrate_EmptyDatabase_SeedsSourceWeightsAndStormThreshold()
    {
        string weights = await _db.ScalarAsync<string>(
            "SELECT string_agg(source_type || '=' || weight::float8, ',' ORDER BY weight DESC) FROM oms_source_weights");
        Assert.Equal("scada=1,kaifa=0.8,onu=0.6,callcenter=0.4", weights);
        int activation = await _db.ScalarAsync<int>("SELECT activation_signals_per_hour FROM oms_storm_mode_settings WHERE id = 1");
        Assert.Equal(100, activation);
        string ruleSet = await _db.ScalarAsync<string>("SELECT active_rule_set FROM oms_storm_mode_state WHERE id = 1");
        Assert.Equal("standard", ruleSet);
    }

    [Fact]
    public async Task Migrate_EmptyDatabase_DefersForeignKeysInsideTheNetworkTree()
    {
        long notDeferred = await _db.ScalarAsync<long>("""
            SELECT count(*) FROM pg_constraint
             WHERE contype = 'f' AND NOT condeferred
               AND conrelid IN ('network_feeders'::regclass, 'network_devices'::regclass, 'network_distribution_points'::regclass,
                                'oms_customers'::regclass, 'oms_smart_meters'::regclass, 'oms_onu_devices'::regclass)
            """);
        Assert.Equal(0, notDeferred);
    }

    [Fact]
    public async Task Migrate_DownToZeroAndUpAgain_LeavesNoObjectBehindAndRebuilds()
    {
        await using var context = new OmsDbContext(OmsDatabase.Options(_db.DataSource));
        var migrator = context.GetService<IMigrator>();
        await migrator.MigrateAsync(Migration.InitialDatabase);
        long left = await _db.ScalarAsync<long>("""
            SELECT count(*) FROM pg_class
             WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v')
               AND (relname LIKE 'oms\_%' OR relname LIKE 'network\_%' OR relname LIKE '%\_events%' OR relname LIKE 'callcenter%')
            """);
        Assert.Equal(0, left);
        long functions = await _db.ScalarAsync<long>("SELECT count(*) FROM pg_proc WHERE proname LIKE 'oms\\_%'");
        Assert.Equal(0, functions);

        await context.Database.MigrateAsync();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(Tables.Count, await _db.ScalarAsync<long>("""
            SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
               AND (relname LIKE 'oms\_%' OR relname LIKE 'network\_%' OR relname IN ('kaifa_events', 'scada_events', 'onu_events', 'callcenter_tickets'))
            """));
    }
}
