using OmsDashboard.Data.Import;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Correlation;

/// <summary>
/// The design's literal SQL correlation, <c>oms_correlate_events()</c>, on a small hand-built case
/// over the real IEEE 8500 feeder: spatial (ST_DWithin) + temporal (± window) grouping, the
/// design's weighted-average confidence and thresholds, and idempotency.
/// </summary>
public sealed class BaselineCorrelationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateMigratedAsync("baseline");
        var importer = new TopologyImporter(_db.DataSource);
        Assert.True((await importer.ImportFilesAsync(RepoPaths.Feeder("ieee8500", "nodes.csv"), RepoPaths.Feeder("ieee8500", "assets.csv"))).Succeeded);
        Assert.True((await importer.ImportFilesAsync(RepoPaths.Feeder("epri_ckt24", "nodes.csv"), RepoPaths.Feeder("epri_ckt24", "assets.csv"))).Succeeded);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>Meters of the customers nearest to a customer, nearest first, with their distance in metres.</summary>
    private async Task<List<(string Meter, double Metres)>> MetersNear(string customerId, int count)
    {
        await using var cmd = _db.DataSource.CreateCommand($"""
            SELECT m.id, ST_Distance(c.location, o.location)
              FROM oms_customers c JOIN oms_smart_meters m ON m.customer_id = c.id,
                   (SELECT location FROM oms_customers WHERE id = '{customerId}') o
             ORDER BY ST_Distance(c.location, o.location), m.id LIMIT {count}
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new List<(string, double)>();
        while (await reader.ReadAsync())
        {
            result.Add((reader.GetString(0), reader.GetDouble(1)));
        }
        return result;
    }

    private Task LastGasp(string eventId, string meter, DateTimeOffset at) =>
        _db.ExecuteAsync($"INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('{eventId}', '{meter}', 'last_gasp', '{at:O}', '{at.AddSeconds(40):O}')");

    private async Task<int> CorrelateAll() => await _db.ScalarAsync<int>("SELECT oms_correlate_events()");

    [Fact]
    public async Task CorrelateEvents_HandBuiltCase_GroupsByPlaceAndTimeWithTheDesignsScores()
    {
        // Three neighbours in the IEEE feeder (within a few hundred metres), a fourth customer on
        // the Ckt24 feeder 14 km east, and the first area again two hours later.
        var near = await MetersNear("CUST:226195333C0", 3);
        Assert.All(near, m => Assert.True(m.Metres < 1000, $"{m.Meter} is {m.Metres:F0} m away"));
        await LastGasp("KF-1", near[0].Meter, T0);
        await LastGasp("KF-2", near[1].Meter, T0.AddMinutes(2));
        await _db.ExecuteAsync($"""
            INSERT INTO callcenter_tickets (ticket_id, account_number, category, occurred_at, received_at)
            SELECT 'CC-1', c.account_number, 'no_power', '{T0.AddMinutes(6):O}', '{T0.AddMinutes(6):O}'
              FROM oms_customers c JOIN oms_smart_meters m ON m.customer_id = c.id WHERE m.id = '{near[2].Meter}'
            """);
        await LastGasp("KF-FAR", "KFM240000001", T0.AddMinutes(1));
        await LastGasp("KF-LATER", near[0].Meter, T0.AddHours(2));
        await _db.ExecuteAsync($"INSERT INTO onu_events (event_id, onu_id, event_type, occurred_at, received_at) VALUES ('ONU-LOS', 'ONU850000002', 'los', '{T0:O}', '{T0:O}')");
        await LastGasp("KF-GHOST", "KFM-NOT-A-METER", T0);

        int processed = await CorrelateAll();

        Assert.Equal(7, processed);
        await using var cmd = _db.DataSource.CreateCommand("""
            SELECT oe.status, oe.confidence_score, oe.affected_customers_count, oe.severity,
                   string_agg(es.source_event_id, ',' ORDER BY es.source_event_id), oe.first_detected_at, oe.feeder_id
              FROM oms_outage_events oe JOIN oms_event_sources es ON es.outage_event_id = oe.id
             GROUP BY oe.id ORDER BY oe.first_detected_at, oe.event_id
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        var outages = new List<(string Status, decimal Confidence, int Customers, string Severity, string Sources, DateTime First, string Feeder)>();
        while (await reader.ReadAsync())
        {
            outages.Add((reader.GetString(0), reader.GetDecimal(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4), reader.GetDateTime(5), reader.GetString(6)));
        }

        Assert.Equal(3, outages.Count);
        // The first last gasp alone scores 0.8 ≥ 0.7 and confirms; the call then pulls the design's
        // weighted average down to (0.8 + 0.8 + 0.4) / 3 = 0.6667 (the flaw our engine fixes).
        Assert.Equal(("confirmed", 0.6667m, 3, "low", "CC-1,KF-1,KF-2", "FDR:LN5815900-1"),
            (outages[0].Status, outages[0].Confidence, outages[0].Customers, outages[0].Severity, outages[0].Sources, outages[0].Feeder));
        // Far away: its own outage; one last gasp = 0.8 ≥ 0.7, so confirmed at once.
        Assert.Equal(("confirmed", 0.8m, "KF-FAR", "FDR:fdr_05410"), (outages[1].Status, outages[1].Confidence, outages[1].Sources, outages[1].Feeder));
        // Same place two hours later is outside the ± 30 min window: a new outage.
        Assert.Equal(("KF-LATER", T0.AddHours(2).UtcDateTime), (outages[2].Sources, outages[2].First));

        // A fiber LOS is not a power outage, and an unknown meter has no place: both kept, unmatched.
        Assert.Equal("unmatched", await _db.ScalarAsync<string>("SELECT correlation_state FROM onu_events WHERE event_id = 'ONU-LOS'"));
        Assert.Equal("no known asset or location", await _db.ScalarAsync<string>("SELECT correlation_note FROM kaifa_events WHERE event_id = 'KF-GHOST'"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM kaifa_events WHERE correlation_state = 'pending'"));
    }

    [Fact]
    public async Task CorrelateEvents_CallThenLastGasps_ConfirmsWhenTheAverageReachesTheThreshold()
    {
        var near = await MetersNear("CUST:226195333C0", 4);
        await _db.ExecuteAsync($"""
            INSERT INTO callcenter_tickets (ticket_id, account_number, category, occurred_at, received_at)
            SELECT 'CC-1', c.account_number, 'no_power', '{T0:O}', '{T0:O}'
              FROM oms_customers c JOIN oms_smart_meters m ON m.customer_id = c.id WHERE m.id = '{near[0].Meter}'
            """);
        await LastGasp("KF-2", near[1].Meter, T0.AddMinutes(1));
        await LastGasp("KF-3", near[2].Meter, T0.AddMinutes(2));
        await CorrelateAll();

        // (0.4 + 0.8 + 0.8) / 3 = 0.6667 < 0.7: still unconfirmed.
        Assert.Equal(("unconfirmed", 0.6667m), (await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"), await _db.ScalarAsync<decimal>("SELECT confidence_score FROM oms_outage_events")));

        await LastGasp("KF-4", near[3].Meter, T0.AddMinutes(4));
        await CorrelateAll();

        // (0.4 + 3 × 0.8) / 4 = 0.7: confirmed at the event time of the evidence that did it.
        Assert.Equal(("confirmed", 0.7m), (await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"), await _db.ScalarAsync<decimal>("SELECT confidence_score FROM oms_outage_events")));
        Assert.Equal(T0.AddMinutes(4).UtcDateTime, await _db.ScalarAsync<DateTime>("SELECT confirmed_at FROM oms_outage_events"));
        Assert.Equal("created,status_changed", await _db.ScalarAsync<string>("SELECT string_agg(entry_type, ',' ORDER BY id) FROM oms_event_timeline"));
    }

    [Fact]
    public async Task CorrelateEvents_ScadaLockout_UsesTheScadaPriorityRules()
    {
        // A lockout seeds an outage at the recloser's place; SCADA alone scores 1.0 ≥ 0.9.
        await _db.ExecuteAsync($"INSERT INTO scada_events (event_id, device_id, event_type, occurred_at, received_at) VALUES ('SC-1', 'RCL:LN5587291-1', 'lockout', '{T0:O}', '{T0:O}')");
        await CorrelateAll();

        Assert.Equal(("confirmed", 1.0m, "RCL:LN5587291-1", "recloser"), (
            await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"),
            await _db.ScalarAsync<decimal>("SELECT confidence_score FROM oms_outage_events"),
            await _db.ScalarAsync<string>("SELECT device_id FROM oms_outage_events"),
            await _db.ScalarAsync<string>("SELECT device_kind FROM oms_outage_events")));
        Assert.Contains("scada_priority", await _db.ScalarAsync<string>("SELECT description FROM oms_event_timeline WHERE entry_type = 'created'"), StringComparison.Ordinal);

        // A corroborating call from a customer near the recloser joins it, and the design's
        // weighted average falls to (1.0 + 0.4) / 2 = 0.7: documented, not hidden.
        await _db.ExecuteAsync($"""
            INSERT INTO callcenter_tickets (ticket_id, account_number, category, occurred_at, received_at)
            SELECT 'CC-1', c.account_number, 'no_power', '{T0.AddMinutes(5):O}', '{T0.AddMinutes(5):O}'
              FROM oms_customers c, network_devices d WHERE d.id = 'RCL:LN5587291-1'
             ORDER BY ST_Distance(c.location, d.location) LIMIT 1
            """);
        await CorrelateAll();
        Assert.Equal((0.7m, 2L), (await _db.ScalarAsync<decimal>("SELECT confidence_score FROM oms_outage_events"), await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources")));
    }

    [Fact]
    public async Task CorrelateEvents_RunTwice_ProcessesNothingTheSecondTime()
    {
        var near = await MetersNear("CUST:226195333C0", 2);
        await LastGasp("KF-1", near[0].Meter, T0);
        await LastGasp("KF-2", near[1].Meter, T0.AddMinutes(1));
        Assert.Equal(2, await CorrelateAll());
        string before = await _db.ScalarAsync<string>("SELECT md5(string_agg(es::text, '|' ORDER BY id)) FROM oms_event_sources es");

        Assert.Equal(0, await CorrelateAll());
        var outage = await _db.ScalarAsync<Guid>("SELECT oms_correlate_event('kaifa', 'KF-1')");

        Assert.Equal(await _db.ScalarAsync<Guid>("SELECT id FROM oms_outage_events"), outage);
        Assert.Equal(before, await _db.ScalarAsync<string>("SELECT md5(string_agg(es::text, '|' ORDER BY id)) FROM oms_event_sources es"));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_active_outages WHERE source_count = 2 AND source_types = 'kaifa'"));
        Assert.Equal(2, await _db.ScalarAsync<long>("SELECT kaifa_sources FROM oms_correlation_summary"));
    }
}
