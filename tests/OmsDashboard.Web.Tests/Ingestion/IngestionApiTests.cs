using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Web.Correlation;

namespace OmsDashboard.Web.Tests.Ingestion;

/// <summary>
/// <c>POST /api/oms/events/{source}</c> over HTTP on a real database, status by status as in the
/// contract (§2, §5). Each test uses ids of its own.
/// </summary>
[Collection(IngestionCollection.Name)]
public sealed class IngestionApiTests(IngestionHost host) : IDisposable
{
    private readonly HttpClient _client = host.Client(IngestionHost.AllScopesKey);
    private readonly string _p = "W" + Guid.NewGuid().ToString("N")[..8] + "-";

    public void Dispose() => _client.Dispose();

    private Task<long> Stored(string table = "kaifa_events", string idColumn = "event_id") =>
        host.Database.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE {idColumn} LIKE '{_p}%'");

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    // 200

    [Fact]
    public async Task Post_ValidKaifaBatch_Returns200AndStoresEveryRecord()
    {
        using var response = await _client.PostAsync("kaifa", Batches.Gasps(_p, 250));

        var result = await response.ReadResultAsync();
        Assert.Equal((250, 0), (result.Accepted, result.Duplicates));
        Assert.Empty(result.Rejected);
        Assert.Equal(250, await Stored());
        Assert.Equal("KFM7|last_gasp|pending", await host.Database.ScalarAsync<string>(
            $"SELECT meter_id || '|' || event_type || '|' || correlation_state FROM kaifa_events WHERE event_id = '{_p}7'"));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 13, 0, 41, TimeSpan.Zero),
            await host.Database.ScalarAsync<DateTimeOffset>($"SELECT received_at FROM kaifa_events WHERE event_id = '{_p}7'"));
    }

    [Fact]
    public async Task Post_StoredRecordsReachTheOperatorsTicker_OnceAndNewestFirst()
    {
        var ticker = host.Services.GetRequiredService<OmsDashboard.Web.Realtime.SignalTicker>();
        long before = ticker.View().Total;

        using (var response = await _client.PostAsync("kaifa", Batches.Gasps(_p, 5)))
        {
            Assert.Equal((5, 0), ((await response.ReadResultAsync()).Accepted, 0));
        }
        // The same batch again: duplicates are not news.
        using (var again = await _client.PostAsync("kaifa", Batches.Gasps(_p, 5)))
        {
            Assert.Equal(0, (await again.ReadResultAsync()).Accepted);
        }

        var view = ticker.View();
        Assert.Equal(before + 5, view.Total);
        Assert.Equal(5, view.Latest.Count(s => s.Id.StartsWith(_p, StringComparison.Ordinal)));
        var newest = view.Latest.First(s => s.Id.StartsWith(_p, StringComparison.Ordinal));
        Assert.Equal((_p + "5", "kaifa", "last_gasp", "KFM5"), (newest.Id, newest.Source, newest.Type, newest.AssetId));
    }

    [Fact]
    public async Task Post_MixedGoodAndBadRecords_StoresTheGoodAndNamesTheBadByIndexIdAndErrors()
    {
        string json = $$"""
            [
              {"eventId":"{{_p}}ok1","meterId":"KFM1","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"},
              {"meterId":"KFM2","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"},
              {"eventId":"{{_p}}ok2","meterId":"KFM3","eventType":"power_restore","occurredAt":"2026-11-27T14:00:05+02:00","eventCode":"R1","extra":{"ignored":[1,2]} },
              {"eventId":"{{_p}}bad3","meterId":"KFM4","eventType":"blink","occurredAt":"yesterday"},
              {"eventId":"   ","meterId":"","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05"},
              {"eventId":"{{_p}}bad5","meterId":42,"eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z","eventCode":"{{new string('x', 65)}}"},
              {"eventId":"{{_p}}ok3","meterId":"KFM6","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z","receivedAt":null}
            ]
            """;

        using var response = await _client.PostAsync("kaifa", json);

        var result = await response.ReadResultAsync();
        Assert.Equal((3, 0), (result.Accepted, result.Duplicates));
        Assert.Equal([1, 3, 4, 5], result.Rejected.Select(r => r.Index));
        Assert.Equal([null, _p + "bad3", "   ", _p + "bad5"], result.Rejected.Select(r => r.Id));
        Assert.Equal(["eventId is missing"], result.Rejected[0].Errors);
        Assert.Equal([
            "eventType 'blink' is not one of last_gasp, power_restore",
            "occurredAt 'yesterday' is not an ISO 8601 time with an offset (e.g. 2026-11-27T13:00:00Z)",
        ], result.Rejected[1].Errors);
        Assert.Equal([
            "occurredAt '2026-11-27T13:00:05' is not an ISO 8601 time with an offset (e.g. 2026-11-27T13:00:00Z)",
            "eventId is empty",
            "meterId is empty",
        ], result.Rejected[2].Errors);
        Assert.Equal(["meterId must be a string, not a number", "eventCode is longer than 64 characters"], result.Rejected[3].Errors);
        Assert.Equal(3, await Stored());
        Assert.Equal(["ok1", "ok2", "ok3"], (await host.Database.ScalarAsync<string>(
            $"SELECT string_agg(substr(event_id, {_p.Length + 1}), ',' ORDER BY event_id) FROM kaifa_events WHERE event_id LIKE '{_p}%'")).Split(','));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 12, 0, 5, TimeSpan.Zero),
            await host.Database.ScalarAsync<DateTimeOffset>($"SELECT occurred_at FROM kaifa_events WHERE event_id = '{_p}ok2'"));
    }

    [Fact]
    public async Task Post_SameBatchTwice_SecondIsAllDuplicatesAndChangesNothing()
    {
        string json = Batches.Gasps(_p, 100);
        Assert.Equal(100, (await (await _client.PostAsync("kaifa", json)).ReadResultAsync()).Accepted);
        string Fingerprint = $"SELECT md5(string_agg(k::text, '|' ORDER BY event_id)) FROM kaifa_events k WHERE event_id LIKE '{_p}%'";
        string before = await host.Database.ScalarAsync<string>(Fingerprint);

        var again = await (await _client.PostAsync("kaifa", json.Replace("last_gasp", "power_restore", StringComparison.Ordinal))).ReadResultAsync();

        Assert.Equal((0, 100), (again.Accepted, again.Duplicates));
        Assert.Empty(again.Rejected);
        Assert.Equal(before, await host.Database.ScalarAsync<string>(Fingerprint));
    }

    [Fact]
    public async Task Post_PartlyStoredAndRepeatedIds_CountsBothAsDuplicates()
    {
        await (await _client.PostAsync("kaifa", Batches.Gasps(_p, 10))).ReadResultAsync();
        // ids 6..15 (6..10 stored before), then 15 again and an invalid record.
        string json = Batches.Gasps(_p, 10, from: 6)[..^1] + "," + Batches.Gasps(_p, 1, from: 15)[1..^1] + """,{"eventId":"x"}]""";

        var result = await (await _client.PostAsync("kaifa", json)).ReadResultAsync();

        Assert.Equal((5, 6), (result.Accepted, result.Duplicates));
        Assert.Equal([11], result.Rejected.Select(r => r.Index));
        Assert.Equal(15, await Stored());
    }

    [Fact]
    public async Task Post_ScadaOnuAndCallcenter_StoreInTheirTablesWithTheirFields()
    {
        string scada = $$"""[{"eventId":"{{_p}}S1","deviceId":"RCL:LN5587291-1","eventType":"lockout","occurredAt":"2026-11-27T13:00:00Z","description":"relay 51"}]""";
        string onu = $$"""[{"eventId":"{{_p}}O1","onuId":"ONU850000002","eventType":"los","occurredAt":"2026-11-27T13:00:02Z"}]""";
        string calls = $$"""
            [{"ticketId":"{{_p}}C1","accountNumber":"AC850000001","lat":34.0125,"lon":-117.0375,"address":"1 Main St","category":"wire_down","reportedAt":"2026-11-27T13:04:00Z","callerPhone":"555-0100","notes":"sparks"},
             {"ticketId":"{{_p}}C2","lat":34.5,"lon":-117.5,"category":"no_power","reportedAt":"2026-11-27T13:05:00Z"},
             {"ticketId":"{{_p}}C3","accountNumber":"AC850000003","category":"flickering","reportedAt":"2026-11-27T13:06:00Z"}]
            """;

        Assert.Equal(1, (await (await _client.PostAsync("scada", scada)).ReadResultAsync()).Accepted);
        Assert.Equal(1, (await (await _client.PostAsync("onu", onu)).ReadResultAsync()).Accepted);
        Assert.Equal(3, (await (await _client.PostAsync("callcenter", calls)).ReadResultAsync()).Accepted);

        Assert.Equal("RCL:LN5587291-1|lockout|relay 51", await host.Database.ScalarAsync<string>(
            $"SELECT device_id || '|' || event_type || '|' || description FROM scada_events WHERE event_id = '{_p}S1'"));
        Assert.Equal("ONU850000002|los", await host.Database.ScalarAsync<string>(
            $"SELECT onu_id || '|' || event_type FROM onu_events WHERE event_id = '{_p}O1'"));
        Assert.Equal("AC850000001|34.0125|-117.0375|1 Main St|wire_down|555-0100|sparks", await host.Database.ScalarAsync<string>($"""
            SELECT account_number || '|' || ST_Y(location::geometry) || '|' || ST_X(location::geometry) || '|' || address || '|' || category
                   || '|' || caller_phone || '|' || notes FROM callcenter_tickets WHERE ticket_id = '{_p}C1'
            """));
        Assert.True(await host.Database.ScalarAsync<bool>(
            $"SELECT account_number IS NULL AND ST_Y(location::geometry) = 34.5 FROM callcenter_tickets WHERE ticket_id = '{_p}C2'"));
        Assert.True(await host.Database.ScalarAsync<bool>(
            $"SELECT location IS NULL AND category = 'flickering' FROM callcenter_tickets WHERE ticket_id = '{_p}C3'"));
    }

    [Fact]
    public async Task Post_CallcenterTicketsBreakingTheRules_AreRejectedWithTheRule()
    {
        string calls = $$"""
            [{"ticketId":"{{_p}}C1","category":"no_power","reportedAt":"2026-11-27T13:04:00Z","address":"somewhere"},
             {"ticketId":"{{_p}}C2","lat":34.5,"category":"no_power","reportedAt":"2026-11-27T13:04:00Z"},
             {"ticketId":"{{_p}}C3","lat":91,"lon":-181,"category":"no_power","reportedAt":"2026-11-27T13:04:00Z"},
             {"ticketId":"{{_p}}C4","accountNumber":"AC1","lat":"34.5","lon":-117,"category":"sparks","reportedAt":"2026-11-27T13:04:00Z"},
             {"ticketId":"{{_p}}C5","accountNumber":"AC1","category":"no_power","occurredAt":"2026-11-27T13:04:00Z"},
             {"ticketId":"{{_p}}C6","accountNumber":"AC1","category":"no_power","reportedAt":"2026-11-27T13:04:00Z","notes":"{{new string('n', 2001)}}"}]
            """;

        var result = await (await _client.PostAsync("callcenter", calls)).ReadResultAsync();

        Assert.Equal(0, result.Accepted);
        Assert.Equal([
            ["a ticket needs accountNumber or both lat and lon"],
            ["lat and lon go together: give both or neither"],
            ["lat 91 is out of range (-90 to 90)", "lon -181 is out of range (-180 to 180)"],
            ["lat must be a number of degrees, not a string", "category 'sparks' is not one of no_power, partial_power, flickering, wire_down, power_restored"],
            ["reportedAt is missing"],
            ["notes is longer than 2000 characters"],
        ], result.Rejected.Select(r => r.Errors));
        Assert.Equal(0, await Stored("callcenter_tickets", "ticket_id"));
    }

    [Fact]
    public async Task Post_WithoutReceivedAt_DefaultsToTheArrivalTime()
    {
        string json = $$"""
            [{"eventId":"{{_p}}1","onuId":"ONU1","eventType":"dying_gasp","occurredAt":"2026-11-27T13:00:02Z"},
             {"eventId":"{{_p}}2","onuId":"ONU2","eventType":"dying_gasp","occurredAt":"2026-11-27T13:00:02Z","receivedAt":"2026-11-27T13:00:09Z"}]
            """;
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);

        var result = await (await _client.PostAsync("onu", json)).ReadResultAsync();

        var after = DateTimeOffset.UtcNow;
        Assert.Equal(2, result.Accepted);
        var received = await host.Database.ScalarAsync<DateTimeOffset>($"SELECT received_at FROM onu_events WHERE event_id = '{_p}1'");
        Assert.InRange(received, before, after);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 13, 0, 9, TimeSpan.Zero),
            await host.Database.ScalarAsync<DateTimeOffset>($"SELECT received_at FROM onu_events WHERE event_id = '{_p}2'"));
    }

    [Fact]
    public async Task Post_TenThousandRecords_IsTheLargestBatchTaken()
    {
        var result = await (await _client.PostAsync("kaifa", Batches.Gasps(_p, 10_000))).ReadResultAsync();

        Assert.Equal(10_000, result.Accepted);
        Assert.Equal(10_000, await Stored());
    }

    // The correlation trigger

    [Fact]
    public async Task Post_NewRecords_RequestsACorrelationPass_DuplicatesOnlyDoNot()
    {
        var trigger = host.Services.GetRequiredService<CorrelationTrigger>();
        await (await _client.PostAsync("kaifa", Batches.Gasps(_p, 3))).ReadResultAsync();
        var next = PendingRequest(trigger);

        // Only duplicates and a rejected record: nothing new, no pass asked for.
        var duplicates = await (await _client.PostAsync("kaifa", Batches.Gasps(_p, 3)[..^1] + """,{"eventId":"bad"}]""")).ReadResultAsync();
        Assert.Equal((0, 3, 1), (duplicates.Accepted, duplicates.Duplicates, duplicates.Rejected.Count));
        Assert.False(next.IsCompleted, "a batch that stored nothing requested a correlation pass");

        await (await _client.PostAsync("kaifa", Batches.Gasps(_p, 1, from: 4))).ReadResultAsync();
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Takes requests made earlier, then returns the read that the next request completes (nothing else reads here).</summary>
    private static Task<bool> PendingRequest(CorrelationTrigger trigger)
    {
        while (true)
        {
            var read = trigger.WaitAsync(CancellationToken.None).AsTask();
            if (!read.IsCompleted)
            {
                return read;
            }
        }
    }

    // 400

    [Theory]
    [InlineData("""{"eventId":"KF-1"}""", "$", 1, 1, "it is an object")]
    [InlineData("\"hello\"", "$", 1, 1, "it is a string")]
    [InlineData("[\n  {\"eventId\":\"KF-1\"},\n  \"KF-2\"\n]", "$[1]", 3, 3, "$[1] is a string: every record must be a JSON object")]
    [InlineData("[{\"eventId\":\"KF-1\"}, [1]]", "$[1]", 1, 22, "$[1] is an array")]
    [InlineData("[{\"eventId\":\"KF-1\"},\n {\"eventId\":\"KF-2\",\"meterId\":KFM2}]", "$[1].meterId", 2, 30, "not valid JSON")]
    [InlineData("[{\"eventId\":\"KF-1\"}", "$[0]", 1, 20, "not valid JSON")]
    [InlineData("[{\"eventId\":\"KF-1\"}] x", "$[0]", 1, 22, "not valid JSON")]
    [InlineData("[]", "$", null, null, "The array is empty")]
    [InlineData("", "$", null, null, "The body is empty")]
    [InlineData(" \r\n ", "$", null, null, "The body is empty")]
    public async Task Post_BodyNotAJsonArrayOfObjects_Returns400SayingWhere(string body, string path, int? line, int? position, string says)
    {
        using var response = await _client.PostAsync("kaifa", body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(path, problem.GetProperty("path").GetString());
        if (line is not null)
        {
            Assert.Equal(line, problem.GetProperty("line").GetInt32());
            Assert.Equal(position, problem.GetProperty("position").GetInt32());
            Assert.Contains($"line {line}, position {position}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Post_ValidRecordsBeforeABrokenOne_StoresNothing()
    {
        using var response = await _client.PostAsync("kaifa", Batches.Gasps(_p, 5)[..^1] + ",42]");

        await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await Stored());
    }

    // 401, 403

    [Fact]
    public async Task Post_WithoutKey_Returns401ProblemAndStoresNothing()
    {
        using var client = host.Client(null);

        using var response = await client.PostAsync("kaifa", Batches.Gasps(_p, 2));

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Stored());
    }

    [Fact]
    public async Task Post_WrongKey_Returns401ProblemAndStoresNothing()
    {
        using var client = host.Client(IngestionHost.AllScopesKey + "x");

        using var response = await client.PostAsync("kaifa", Batches.Gasps(_p, 2));

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("not valid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Stored());
    }

    [Fact]
    public async Task Post_KeyWithoutIngestScope_Returns403ProblemAndStoresNothing()
    {
        using var client = host.Client(IngestionHost.ReadKey);

        using var response = await client.PostAsync("kaifa", Batches.Gasps(_p, 2));

        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("'ingest' scope", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Stored());
    }

    [Fact]
    public async Task Post_KeyLimitedToKaifa_MaySendKaifaButGets403ForOtherSources()
    {
        using var client = host.Client(IngestionHost.KaifaKey);

        using var onu = await client.PostAsync("onu", $$"""[{"eventId":"{{_p}}1","onuId":"ONU1","eventType":"dying_gasp","occurredAt":"2026-11-27T13:00:02Z"}]""");
        using var kaifa = await client.PostAsync("kaifa", Batches.Gasps(_p, 2));

        var problem = await ProblemAsync(onu, HttpStatusCode.Forbidden);
        Assert.Contains("only for kaifa, not for 'onu'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Stored("onu_events"));
        Assert.Equal(2, (await kaifa.ReadResultAsync()).Accepted);
    }

    // 404

    [Theory]
    [InlineData("weather")]
    [InlineData("KAIFA")]
    public async Task Post_UnknownSource_Returns404Problem(string source)
    {
        using var response = await _client.PostAsync(source, Batches.Gasps(_p, 1));

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains($"'{source}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Stored());
    }

    // 413

    [Fact]
    public async Task Post_MoreThanTenThousandRecords_Returns413AndStoresNothing()
    {
        using var response = await _client.PostAsync("kaifa", Batches.Gasps(_p, 10_001));

        var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("10,000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Stored());
    }

    [Fact]
    public async Task Post_AnyContentType_IsReadAsJson()
    {
        using var response = await _client.PostAsync("/api/oms/events/kaifa", new StringContent(Batches.Gasps(_p, 2), Encoding.UTF8, "text/plain"));

        Assert.Equal(2, (await response.ReadResultAsync()).Accepted);
    }
}

[Collection(IngestionCollection.Name)]
public sealed class IngestionOpenApiTests(IngestionHost host)
{
    [Fact]
    public async Task OpenApiDocument_ListsTheIngestionEndpoint()
    {
        using var client = host.Client(null);

        using var response = await client.GetAsync("/openapi/v1.json");

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var post = body.RootElement.GetProperty("paths").GetProperty("/api/oms/events/{source}").GetProperty("post");
        Assert.Equal("IngestEvents", post.GetProperty("operationId").GetString());
        Assert.Equal(["200", "400", "401", "403", "404", "413", "429"], post.GetProperty("responses").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
