using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OmsDashboard.Testing;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Pipeline;

/// <summary>
/// <c>POST /api/oms/outages/{id}/actions</c> on the running app: validated, applied by a pass at
/// once, written to the outage and its timeline with who did it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OutageActionsApiTests(ApiHost host)
{
    /// <summary>Tomorrow afternoon, after the other pipeline tests' faults (so this outage is its own).</summary>
    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(16);

    private async Task<Guid> OpenOutageAsync()
    {
        string fuse = await host.Database.FuseApartAsync();
        await host.Database.StoreLastGaspsBelowAsync(fuse, T0, "ACT");
        var pass = await host.Client.PostAsync($"/api/oms/correlate?asOf={Uri.EscapeDataString(T0.AddMinutes(5).ToString("O"))}", null);
        Assert.Equal(HttpStatusCode.OK, pass.StatusCode);
        var list = await host.Client.GetFromJsonAsync<JsonElement>($"/api/oms/outages?since={Uri.EscapeDataString(T0.AddMinutes(-1).ToString("O"))}");
        return Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid();
    }

    private Task<HttpResponseMessage> ActAsync(Guid id, object body) => host.Client.PostAsJsonAsync($"/api/oms/outages/{id}/actions", body);

    [Fact]
    public async Task Actions_AreValidatedAppliedAndRecordedWithTheUser()
    {
        var id = await OpenOutageAsync();

        // Bad input: named fields, nothing stored.
        var bogus = await ActAsync(id, new { action = "explode" });
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
        Assert.True((await bogus.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("action", out _));
        var noDevice = await ActAsync(id, new { action = "move" });
        Assert.True((await noDevice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("deviceId", out _));
        var elsewhere = await ActAsync(id, new { action = "move", deviceId = "FUS:NO-SUCH-FUSE" });
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        var silentCancel = await ActAsync(id, new { action = "cancel" });
        Assert.True((await silentCancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(404, (int)(await ActAsync(Guid.NewGuid(), new { action = "confirm" })).StatusCode);
        Assert.Equal(0, await host.Database.ScalarAsync<long>($"SELECT count(*) FROM oms_operator_actions WHERE outage_event_id = '{id}'"));

        // ETR: applied at once and on the outage.
        var etr = T0.AddHours(4);
        var set = await ActAsync(id, new { action = "set_etr", etr });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("applied", (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var detail = await host.Client.GetFromJsonAsync<JsonElement>($"/api/oms/outages/{id}");
        Assert.Equal(etr, detail.GetProperty("etr").GetDateTimeOffset());

        // Cancel as a false alarm: the outage ends, the timeline says who.
        var cancel = await ActAsync(id, new { action = "cancel", reason = "meter firmware test" });
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        detail = await host.Client.GetFromJsonAsync<JsonElement>($"/api/oms/outages/{id}");
        Assert.Equal("cancelled", detail.GetProperty("status").GetString());
        var entry = detail.GetProperty("timeline").EnumerateArray().Single(t => t.GetProperty("to").GetString() == "cancelled");
        Assert.NotEqual("system", entry.GetProperty("actor").GetString());
        Assert.Contains("meter firmware test", entry.GetProperty("description").GetString(), StringComparison.Ordinal);

        // Acting on an outage that ended: a conflict, not a crash.
        Assert.Equal(HttpStatusCode.Conflict, (await ActAsync(id, new { action = "confirm" })).StatusCode);
    }
}
