using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using OmsDashboard.Testing;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Pipeline;

/// <summary>
/// Stored signals through a correlation pass to the API and the SignalR hub, on the running app
/// (real PostgreSQL, real Hangfire server in the host).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class CorrelationPipelineTests(ApiHost host)
{
    private const string Fuse = StoredSignals.IeeeFuse;

    /// <summary>Signals dated a day ahead: the app's own background passes (clock = now) leave them in their hold.</summary>
    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(13);

    private Task<int> StoreFuseFault(string prefix) => host.Database.StoreLastGaspsBelowAsync(Fuse, T0, prefix);

    private HubConnection Hub() => new HubConnectionBuilder()
        .WithUrl(new Uri(host.Factory.Server.BaseAddress, "hubs/outages"), o =>
        {
            o.HttpMessageHandlerFactory = _ => host.Factory.Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
            foreach (var (name, value) in host.Client.DefaultRequestHeaders) o.Headers[name] = string.Join(",", value);
        })
        .Build();

    [Fact]
    public async Task StoredFuseFault_CorrelatedThroughTheApi_ComesOutOfOutagesAndThePush()
    {
        int gasps = await StoreFuseFault("E2E");
        var pushed = Channel.CreateUnbounded<JsonElement>();
        await using var hub = Hub();
        hub.On<JsonElement>("OutageChanged", m => pushed.Writer.TryWrite(m));
        await hub.StartAsync();

        var pass = await host.Client.PostAsync($"/api/oms/correlate?asOf={Uri.EscapeDataString(T0.AddMinutes(5).ToString("O"))}", null);

        Assert.Equal(HttpStatusCode.OK, pass.StatusCode);
        var result = await pass.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(gasps, result.GetProperty("processedSignals").GetInt32());
        Assert.Equal(1, result.GetProperty("created").GetInt32());
        Assert.True(result.TryGetProperty("durationMs", out _));

        var list = await host.Client.GetFromJsonAsync<JsonElement>($"/api/oms/outages?feeder=FDR:LN5815900-1&since={Uri.EscapeDataString(T0.AddMinutes(-1).ToString("O"))}");
        var outage = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        Assert.Equal(Fuse, outage.GetProperty("deviceId").GetString());
        Assert.Equal("fuse", outage.GetProperty("deviceKind").GetString());
        Assert.Equal("confirmed", outage.GetProperty("status").GetString());
        Assert.Equal("SUB:HVMV_Sub", outage.GetProperty("substationId").GetString());
        Assert.Equal(gasps, outage.GetProperty("sourceCounts").GetProperty("kaifa").GetInt32());
        Assert.Equal(0, outage.GetProperty("sourceCounts").GetProperty("scada").GetInt32());
        Assert.Equal(T0, outage.GetProperty("firstDetectedAt").GetDateTimeOffset());
        Assert.Matches(@"^OUT-\d{8}-\d{4}$", outage.GetProperty("eventId").GetString());

        var detail = await host.Client.GetFromJsonAsync<JsonElement>($"/api/oms/outages/{outage.GetProperty("id").GetGuid()}");
        Assert.Equal(gasps, detail.GetProperty("sources").GetArrayLength());
        Assert.Equal("created", detail.GetProperty("timeline")[0].GetProperty("type").GetString());
        Assert.Equal("roll_up", detail.GetProperty("explanation").GetProperty("rule").GetString());
        Assert.Contains("customers reporting out of", detail.GetProperty("explanation").GetProperty("text").GetString(), StringComparison.Ordinal);
        var byEventId = await host.Client.GetFromJsonAsync<JsonElement>($"/api/oms/outages/{outage.GetProperty("eventId").GetString()}");
        Assert.Equal(outage.GetProperty("id").GetGuid(), byEventId.GetProperty("id").GetGuid());

        // The push: the same outage, created, within a bounded wait (coalesced every 250 ms).
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        JsonElement message;
        do
        {
            message = await pushed.Reader.ReadAsync(wait.Token);
        }
        while (message.GetProperty("eventId").GetString() != outage.GetProperty("eventId").GetString());
        Assert.Equal("created", message.GetProperty("change").GetString());
        Assert.Equal(Fuse, message.GetProperty("deviceId").GetString());

        // The same pass again: nothing new.
        var again = await (await host.Client.PostAsync($"/api/oms/correlate?asOf={Uri.EscapeDataString(T0.AddMinutes(5).ToString("O"))}", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0, 0), (again.GetProperty("processedSignals").GetInt32(), again.GetProperty("created").GetInt32()));
    }

    [Theory]
    [InlineData("/api/oms/outages?status=bogus", "status")]
    [InlineData("/api/oms/outages?pageSize=0", "pageSize")]
    [InlineData("/api/oms/outages?page=0", "page")]
    public async Task ListOutages_BadQuery_IsAProblemNamingTheField(string url, string field)
    {
        var response = await host.Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task GetOutage_Unknown_Is404()
    {
        var response = await host.Client.GetAsync("/api/oms/outages/OUT-19990101-0001");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/oms/outages")]
    [InlineData("GET", "/api/oms/outages/OUT-19990101-0001")]
    [InlineData("POST", "/api/oms/correlate")]
    public async Task OutageEndpoints_WithoutAKey_Are401(string method, string url)
    {
        using var anonymous = host.Factory.CreateClient();

        var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Hub_WithoutAKey_RefusesTheConnection()
    {
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(host.Factory.Server.BaseAddress, "hubs/outages"), o =>
            {
                o.HttpMessageHandlerFactory = _ => host.Factory.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
            })
            .Build();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }
}
