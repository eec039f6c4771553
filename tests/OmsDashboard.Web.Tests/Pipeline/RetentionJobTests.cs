using System.Globalization;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Testing;
using OmsDashboard.Web.Hosting;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Pipeline;

/// <summary>
/// The signal retention job (ADR 0013) run by the app's own Hangfire server on a real database:
/// it deletes old signals a kept snapshot covers, keeps the rest, and a rebuild afterwards gives
/// the outages it gave before. In the API collection: its host runs a Hangfire server.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RetentionJobTests
{
    private static string Describe(CorrelationEngine engine) => string.Join('\n', engine.Outages.Select(o => string.Create(CultureInfo.InvariantCulture,
        $"{o.Number} {o.EventId} {o.Status} {engine.Network.Ids[o.Device]} {o.FirstDetectedAt:O} {o.RestoredAt:O} {o.Confidence:R} {o.AffectedCustomers}")
        + (o.IsActive ? " | " + string.Join(',', o.Evidence.Select(e => e.SourceId).Order(StringComparer.Ordinal)) + " | " + string.Join(" / ", o.Timeline.Select(t => t.Description)) : "")))
        + $"\nnext {engine.NextOutageNumber}";

    private static Task<string> OutagesAsync(TestDatabase db) => db.ScalarAsync<string>("""
        SELECT (SELECT string_agg(concat_ws(' ', number, event_id, status, device_id, affected_customers_count, first_detected_at, restored_at), E'\n' ORDER BY number) FROM oms_outage_events)
            || E'\n' || (SELECT string_agg(s.source_event_id || '>' || o.number, ',' ORDER BY s.source_event_id) FROM oms_event_sources s JOIN oms_outage_events o ON o.id = s.outage_event_id)
            || E'\n' || (SELECT string_agg(o.number || ' ' || t.entry_type || ' ' || t.description, E'\n' ORDER BY o.number, t.occurred_at, t.description) FROM oms_event_timeline t JOIN oms_outage_events o ON o.id = t.outage_event_id)
        """);

    [Fact]
    public async Task TheRecurringJob_DeletesOldSignalsASnapshotCovers_KeepsTheRest_AndARebuildGivesTheSameOutages()
    {
        // Arrange: an app on its own database, retention at 90 days in batches of 7.
        await using var database = await TestDatabase.CreateMigratedAsync("web_retention");
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("OMS_CONNECTION_STRING", database.ConnectionString);
            builder.UseSetting("OMS_INGEST_API_KEY", ApiHost.ApiKey);
            builder.UseSetting("Oms:Retention:SignalDays", "90");
            builder.UseSetting("Oms:Retention:BatchSize", "7");
            // The recurring safety-net pass may run once before it is removed below (a minute
            // boundary during a slow start) and write the process's first snapshot, with nothing
            // taken in. Retention keys on the oldest kept snapshot, so this test's own pass must
            // write one and be the only one kept.
            builder.UseSetting("Oms:Snapshots:EverySignals", "1");
            builder.UseSetting("Oms:Snapshots:Keep", "1");
        });
        _ = factory.Server; // starts: migrates, imports the demo network, registers the recurring jobs
        var jobs = factory.Services.GetRequiredService<IRecurringJobManager>();
        // Only this test's passes run (the safety net would take in the rows stored above the watermark below).
        jobs.RemoveIfExists(RecurringJobs.CorrelationSafetyNet);
        using (var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == RecurringJobs.SignalRetention);
            Assert.Equal("17 3 * * *", job.Cron);
        }

        // A fuse fault 100 days ago, restored an hour later, an unmatched signal of that day, and
        // the same fuse out again 10 days ago; one pass takes them in and writes a snapshot.
        // On a whole minute: the gasps (0–2 s apart) then fall into one 5-s tick of the engine, and
        // the outages do not depend on where the wall clock stood (a fault seen over two ticks is
        // first predicted lower, then merged up).
        var now = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var old = now.AddDays(-100);
        int oldGasps = await database.StoreLastGaspsBelowAsync(StoredSignals.IeeeFuse, old, "OLD");
        await database.ExecuteAsync($"""
            INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at)
            SELECT 'OLDR-' || event_id, meter_id, 'power_restore', '{old.AddHours(1):O}', '{old.AddHours(1).AddSeconds(20):O}' FROM kaifa_events WHERE event_id LIKE 'OLD-%';
            INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('OLD-GHOST', 'NO-SUCH-METER', 'last_gasp', '{old:O}', '{old:O}');
            """);
        int newGasps = await database.StoreLastGaspsBelowAsync(StoredSignals.IeeeFuse, now.AddDays(-10), "NEW");
        var pass = factory.Services.GetRequiredService<CorrelationPass>();
        await pass.RunAsync(now);
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM oms_engine_snapshots"));
        string table = await database.ScalarAsync<string>("SELECT string_agg(concat_ws(' ', number, status, device_id, first_detected_at, restored_at, affected_customers_count), E'\n' ORDER BY number) FROM oms_outage_events")
            + "\n" + await database.ScalarAsync<string>("SELECT string_agg(concat_ws(' ', o.number, t.occurred_at, t.description), E'\n' ORDER BY o.number, t.occurred_at) FROM oms_event_timeline t JOIN oms_outage_events o ON o.id = t.outage_event_id")
            + "\npasses " + await database.ScalarAsync<long>("SELECT passes FROM oms_correlation_state");
        Assert.True(await database.ScalarAsync<string>("SELECT status FROM oms_outage_events WHERE number = 1") == "restored", table);
        Assert.True(await database.ScalarAsync<string>("SELECT status FROM oms_outage_events WHERE number = 2") == "confirmed", table);
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes WHERE source_event_id = 'OLD-GHOST'"));
        string outages = await OutagesAsync(database);
        string engine = Describe(pass.Engine!);
        long evidence = await database.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources");
        // Old, but stored after the snapshot (above its watermark): no rebuild has it yet.
        await database.ExecuteAsync($"INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('ABOVE-1', 'NO-SUCH-METER', 'last_gasp', '{old:O}', '{now:O}')");

        // Act: the app's Hangfire server runs the recurring job.
        jobs.Trigger(RecurringJobs.SignalRetention);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await database.ScalarAsync<long>("SELECT count(*) FROM kaifa_events WHERE event_id LIKE 'OLD%'") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the retention job did not delete the old signals within 90 s");
            await Task.Delay(200);
        }

        // Assert: old rows and their outcome gone; the row above the watermark and the recent ones kept;
        // outages, evidence rows and timeline untouched.
        Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes WHERE source_event_id = 'OLD-GHOST'"));
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM kaifa_events WHERE event_id = 'ABOVE-1'"));
        Assert.Equal(newGasps, await database.ScalarAsync<long>("SELECT count(*) FROM kaifa_events WHERE event_id LIKE 'NEW-%'"));
        Assert.Equal(newGasps + 1, await database.ScalarAsync<long>("SELECT count(*) FROM kaifa_events"));
        Assert.Equal(evidence, await database.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources"));
        Assert.True(await database.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources WHERE source_event_id LIKE 'OLD%'") >= oldGasps);
        Assert.Equal(outages, await OutagesAsync(database));

        // A rebuild after retention (a new process) restores the snapshot: the same outages, numbers included.
        var restarted = new CorrelationPass(database.DataSource, TimeProvider.System);
        await restarted.RunAsync(now);
        Assert.NotNull(restarted.LastRebuild!.SnapshotId);
        Assert.Equal(0, restarted.LastRebuild.SignalsReplayed);
        Assert.Equal(engine, Describe(restarted.Engine!));
        Assert.Equal(outages, await OutagesAsync(database));
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes WHERE source_event_id = 'ABOVE-1'"));
    }

    [Fact]
    public async Task Retention_WithoutASnapshot_DeletesNothing()
    {
        await using var database = await TestDatabase.CreateMigratedAsync("web_retention_none");
        await database.ExecuteAsync($"INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) VALUES ('OLD-1', 'M', 'last_gasp', '{DateTimeOffset.UtcNow.AddDays(-400):O}', now())");
        await database.ExecuteAsync("UPDATE oms_correlation_watermarks SET seq = 1000");

        var result = await new SignalRetention(database.DataSource, TimeProvider.System).RunAsync(TimeSpan.FromDays(90), 100, default);

        Assert.Equal(0, result.Total);
        Assert.Contains("no engine snapshot", result.Skipped);
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM kaifa_events"));
    }
}
