using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Testing;
using OmsDashboard.Web.Hosting;
using OmsDashboard.Web.Realtime;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Polling;

/// <summary>
/// A fault's signals from a polled feed to an outage, through the whole running app: its Hangfire
/// server runs the poller's recurring job, ingestion asks for a pass, the pass makes the outage.
/// In the API collection: its hosts run Hangfire servers, which share process-wide state, so they
/// start one after the other.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PollingPipelineTests(ApiHost api)
{
    private const string Poller = "e2e-kaifa";
    private const string Feeder = "FDR:LN5815900-1";

    [Fact]
    public async Task TheRecurringJob_PullsAFusesLastGasps_AndAnOutageComesOutOfTheApi()
    {
        await using var feed = new FakeFeed();
        await feed.StartAsync();
        await using var database = await TestDatabase.CreateMigratedAsync("web_poll_e2e");
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("OMS_CONNECTION_STRING", database.ConnectionString);
            builder.UseSetting("OMS_INGEST_API_KEY", ApiHost.ApiKey);
            builder.UseSetting("Oms:Polling:Sources:0:Name", Poller);
            builder.UseSetting("Oms:Polling:Sources:0:Source", "kaifa");
            builder.UseSetting("Oms:Polling:Sources:0:Kind", "http");
            builder.UseSetting("Oms:Polling:Sources:0:Url", feed.Url("meters"));
            builder.UseSetting("Oms:Polling:Sources:0:Headers:X-Feed-Key", "feed-secret");
            // Hourly: within the test only the trigger below runs it.
            builder.UseSetting("Oms:Polling:Sources:0:Interval", "01:00:00");
        });
        _ = factory.Server; // starts: migrates, imports the demo network, registers the recurring jobs

        // Three quarters of the meters below the fuse gasped ten minutes ago (the pass's clock is now).
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        var meters = await MetersBelowAsync(database, StoredSignals.IeeeFuse);
        var gasps = meters.Where((_, n) => n % 4 != 3).ToList();
        feed["meters"].Add([.. gasps.Select((m, n) =>
            $$"""{"eventId":"E2E-{{n}}","meterId":"{{m}}","eventType":"last_gasp","occurredAt":"{{at.AddSeconds(n % 3):O}}"}""")]);

        var outage = new TaskCompletionSource<OutageUpdate>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = factory.Services.GetRequiredService<OutageNotifier>().Subscribe(updates =>
        {
            foreach (var u in updates.Where(u => u.Outage.DeviceId == StoredSignals.IeeeFuse)) outage.TrySetResult(u);
            return Task.CompletedTask;
        });

        var storage = factory.Services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
        {
            var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == RecurringJobs.PollerId(Poller));
            Assert.Equal("0 * * * *", job.Cron);
        }
        factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(RecurringJobs.PollerId(Poller));

        var pushed = await outage.Task.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(StoredSignals.IeeeFuse, pushed.Outage.DeviceId);

        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiHost.ApiKey);
        var list = await client.GetFromJsonAsync<JsonElement>($"/api/oms/outages?feeder={Feeder}");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(StoredSignals.IeeeFuse, item.GetProperty("deviceId").GetString());
        Assert.Equal(gasps.Count, item.GetProperty("sourceCounts").GetProperty("kaifa").GetInt32());

        var health = await client.GetFromJsonAsync<JsonElement>("/api/oms/sources/health");
        var poller = Assert.Single(health.GetProperty("pollers").EnumerateArray());
        Assert.Equal((Poller, "ok", (long)gasps.Count), (poller.GetProperty("name").GetString(), poller.GetProperty("status").GetString(), poller.GetProperty("recordsTotal").GetInt64()));
        var kaifa = Assert.Single(health.GetProperty("sources").EnumerateArray(), s => s.GetProperty("source").GetString() == "kaifa");
        Assert.Equal([Poller], kaifa.GetProperty("pollers").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task SourcesHealth_WithoutAKey_Is401()
    {
        using var anonymous = api.Factory.CreateClient();

        var response = await anonymous.GetAsync("/api/oms/sources/health");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SourcesHealth_WithoutPollers_ListsEachSourceWithItsNewestRecord()
    {
        var response = await api.Client.GetAsync("/api/oms/sources/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.String, health.GetProperty("checkedAt").ValueKind);
        Assert.Empty(health.GetProperty("pollers").EnumerateArray());
        var sources = health.GetProperty("sources").EnumerateArray().ToList();
        Assert.Equal(["scada", "kaifa", "onu", "callcenter"], sources.Select(s => s.GetProperty("source").GetString()));
        foreach (var s in sources)
        {
            foreach (string field in new[] { "lastRecordAt", "lagSeconds", "lastIngestedAt", "pollers" })
            {
                Assert.True(s.TryGetProperty(field, out _), $"{field} missing in {s}");
            }
        }
    }

    private static async Task<List<string>> MetersBelowAsync(TestDatabase db, string device)
    {
        await using var cmd = db.DataSource.CreateCommand("""
            WITH RECURSIVE below AS (
                SELECT id FROM network_devices WHERE id = @device
                UNION ALL SELECT d.id FROM network_devices d JOIN below b ON d.parent_device_id = b.id)
            SELECT m.id FROM oms_smart_meters m JOIN oms_customers c ON c.id = m.customer_id
              JOIN network_distribution_points p ON p.id = c.distribution_point_id
             WHERE p.parent_device_id IN (SELECT id FROM below) ORDER BY m.id
            """);
        cmd.Parameters.AddWithValue("device", device);
        var meters = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) meters.Add(r.GetString(0));
        return meters;
    }
}
