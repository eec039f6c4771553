using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Testing;
using OmsDashboard.Web.Correlation;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Pipeline;

/// <summary>
/// The engine's meter-ping requests leave the running app: a pass over the API hands them to
/// <see cref="MeterPingRequests"/>, where the head-end adapter (the demo's simulator here) reads them.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class MeterPingWiringTests(ApiHost host)
{
    /// <summary>Tomorrow evening, apart in time and place from the other pipeline tests' faults.</summary>
    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(19);

    [Fact]
    public async Task AnOutageStillOpenPastTheMomentaryThreshold_AsksToPingItsDarkMeters()
    {
        // A fuse of its own, small enough for the engine's verification ping (at most
        // EngineOptions.NeighbourPingLimit customers).
        string fuse = await host.Database.SmallIeeeFuseApartAsync(maxCustomers: 40);
        await host.Database.StoreLastGaspsBelowAsync(fuse, T0, "PING");
        var pings = host.Factory.Services.GetRequiredService<MeterPingRequests>();

        // Past the 90-s hold and the 5-minute momentary threshold: the engine wants to know
        // whether the meters that went dark are still dark.
        var pass = await host.Client.PostAsync($"/api/oms/correlate?asOf={Uri.EscapeDataString(T0.AddMinutes(10).ToString("O"))}", null);
        Assert.Equal(HttpStatusCode.OK, pass.StatusCode);

        var list = await host.Client.GetFromJsonAsync<JsonElement>($"/api/oms/outages?since={Uri.EscapeDataString(T0.AddMinutes(-1).ToString("O"))}");
        var outage = Assert.Single(list.GetProperty("items").EnumerateArray());
        try
        {
            await AssertPingsRequestedAsync(fuse, outage, pings);
        }
        finally
        {
            // The other pipeline tests list open outages since their own (earlier) start.
            var cancel = await host.Client.PostAsJsonAsync($"/api/oms/outages/{outage.GetProperty("id").GetGuid()}/actions",
                new { action = "cancel", reason = "test outage for the ping wiring" });
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
    }

    private async Task AssertPingsRequestedAsync(string fuse, JsonElement outage, MeterPingRequests pings)
    {
        Assert.Equal(fuse, outage.GetProperty("deviceId").GetString());
        long number = await host.Database.ScalarAsync<long>($"SELECT number FROM oms_outage_events WHERE id = '{outage.GetProperty("id").GetGuid()}'");
        var dark = (await host.Database.ScalarAsync<string>(
                "SELECT string_agg(meter_id, ',' ORDER BY meter_id) FROM kaifa_events WHERE event_id LIKE 'PING-%'"))
            .Split(',');

        // Other tests of this host leave requests of their own outages in the channel.
        var requested = new List<PingRequest>();
        while (pings.Reader.TryRead(out var request)) requested.Add(request);
        var ours = requested.Where(r => r.OutageNumber == number).ToList();
        Assert.NotEmpty(ours);
        // Every meter that reported a last gasp is asked about (the verification ping), and only
        // meters of this fuse's customers are.
        var asked = ours.SelectMany(r => r.MeterIds).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(dark.ToHashSet(StringComparer.Ordinal), asked);
        string below = await host.Database.ScalarAsync<string>($"""
            WITH RECURSIVE below AS (
                SELECT id FROM network_devices WHERE id = '{fuse}'
                UNION ALL SELECT d.id FROM network_devices d JOIN below b ON d.parent_device_id = b.id)
            SELECT string_agg(m.id, ',') FROM oms_smart_meters m JOIN oms_customers c ON c.id = m.customer_id
              JOIN network_distribution_points p ON p.id = c.distribution_point_id
             WHERE p.parent_device_id IN (SELECT id FROM below)
            """);
        var fuseMeters = below.Split(',').ToHashSet(StringComparer.Ordinal);
        Assert.Subset(fuseMeters, ours.Where(r => r.MeterIds.Contains(dark[0])).SelectMany(r => r.MeterIds).ToHashSet(StringComparer.Ordinal));
    }
}
