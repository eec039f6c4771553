using System.Text.Json;
using OmsDashboard.Web.Polling;

namespace OmsDashboard.Web.Tests.Polling;

/// <summary>Pollers of HTTP feeds (a real Kestrel feed, the real store on PostgreSQL): paging, cursor, duplicates, bad records, retries and health.</summary>
[Collection(PollingCollection.Name)]
public sealed class HttpPollingTests(PollingHost host)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Feed_IsPulledPageByPage_StoredOnce_AndTheCursorMovesOn()
    {
        var feed = host.Feed["paged"];
        feed.Add([.. Enumerable.Range(1, 25).Select(n => PollingHost.Gasp($"PG-{n}", T0.AddSeconds(n)))]);

        var first = await host.RunAsync("kaifa-paged");

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal((3, 25, 25, 0, 0), (first.Pages, first.Pulled, first.Accepted, first.Duplicates, first.Rejected));
        Assert.Equal(25, await host.CountAsync("kaifa_events", "event_id", "PG-"));
        Assert.Equal("24", await host.CursorAsync("kaifa-paged"));
        Assert.Equal(new[] { null, "9", "19" }, feed.Requests.ToList());

        // Nothing new: one request after the cursor, nothing stored.
        var second = await host.RunAsync("kaifa-paged");
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal((0, 0), (second.Pulled, second.Accepted));
        Assert.Equal("24", feed.Requests.Last());

        // New records are pulled from where the last run stopped.
        feed.Add(PollingHost.Gasp("PG-26", T0.AddMinutes(5)), PollingHost.Gasp("PG-27", T0.AddMinutes(6)));
        var third = await host.RunAsync("kaifa-paged");
        Assert.Equal((2, 2), (third.Pulled, third.Accepted));
        Assert.Equal(27, await host.CountAsync("kaifa_events", "event_id", "PG-"));
        Assert.Equal("26", await host.CursorAsync("kaifa-paged"));

        var health = await host.PollerHealthAsync("kaifa-paged");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(27, health.GetProperty("recordsTotal").GetInt64());
        Assert.Equal(T0.AddMinutes(6), health.GetProperty("lastRecordAt").GetDateTimeOffset());
        Assert.True(health.GetProperty("lagSeconds").GetDouble() > 0);
        Assert.NotEqual(JsonValueKind.Null, health.GetProperty("lastSuccessAt").ValueKind);
    }

    [Fact]
    public async Task BadRecord_IsReportedWithWhereItWas_DuplicatesAreHarmless_AndTheGoodOnesAreStored()
    {
        // One record already came by the push API: pulled again, it is a duplicate and changes nothing.
        await host.Database.ExecuteAsync($"""
            INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at)
            VALUES ('MX-2', 'KFM-pushed', 'last_gasp', '{T0:O}', '{T0:O}')
            """);
        host.Feed["mixed"].Add(
            PollingHost.Gasp("MX-1", T0),
            PollingHost.Gasp("MX-2", T0),
            """{"eventId":"MX-3","meterId":"KFM3","eventType":"blackout","occurredAt":"2026-11-27T13:00:00Z"}""",
            PollingHost.Gasp("MX-4", T0.AddSeconds(4)),
            PollingHost.Gasp("MX-1", T0));

        var run = await host.RunAsync("kaifa-mixed");

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal((5, 2, 2, 1), (run.Pulled, run.Accepted, run.Duplicates, run.Rejected));
        Assert.Equal(3, await host.CountAsync("kaifa_events", "event_id", "MX-"));
        Assert.Equal("KFM-pushed", await host.Database.ScalarAsync<string>("SELECT meter_id FROM kaifa_events WHERE event_id = 'MX-2'"));
        var rejection = Assert.Single(await host.Store.RejectionsAsync("kaifa-mixed", 10));
        Assert.Equal($"GET {host.Feed.Url("mixed")}?limit=100 records[2]", rejection.Location);
        Assert.Equal("MX-3", rejection.RecordId);
        Assert.Contains(rejection.Errors, e => e.Contains("eventType", StringComparison.Ordinal) && e.Contains("blackout", StringComparison.Ordinal));

        var health = await host.PollerHealthAsync("kaifa-mixed");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(1, health.GetProperty("rejectedTotal").GetInt64());
        Assert.Contains("records[2] (MX-3)", health.GetProperty("lastRejection").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerErrors_AreRetried_ThenThePageIsStored()
    {
        var feed = host.Feed["flaky"];
        feed.Add(PollingHost.Gasp("FL-1", T0));
        feed.FailNext.Enqueue(503);
        feed.FailNext.Enqueue(500);

        var run = await host.RunAsync("kaifa-flaky");

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal(1, run.Accepted);
        Assert.Equal(3, feed.Requests.Count);
        Assert.Equal(0, (await host.PollerHealthAsync("kaifa-flaky")).GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task PersistentFailure_ShowsInHealth_AndRecoveryClearsIt()
    {
        var feed = host.Feed["down"];
        feed.Add(PollingHost.Gasp("DN-1", T0));
        feed.FailAlways = 503;

        var failed = await host.RunAsync("kaifa-down");
        await host.RunAsync("kaifa-down");

        Assert.False(failed.Succeeded);
        Assert.Contains("503", failed.Error, StringComparison.Ordinal);
        Assert.Equal(2 * PollingHost.MaxAttempts, feed.Requests.Count);
        var health = await host.PollerHealthAsync("kaifa-down");
        Assert.Equal("failing", health.GetProperty("status").GetString());
        Assert.Equal(2, health.GetProperty("consecutiveFailures").GetInt32());
        Assert.Contains("503", health.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, health.GetProperty("lastSuccessAt").ValueKind);
        Assert.Equal(0, await host.CountAsync("kaifa_events", "event_id", "DN-"));

        feed.FailAlways = null;
        var recovered = await host.RunAsync("kaifa-down");

        Assert.True(recovered.Succeeded, recovered.Error);
        health = await host.PollerHealthAsync("kaifa-down");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(0, health.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(1, await host.CountAsync("kaifa_events", "event_id", "DN-"));
    }

    [Fact]
    public async Task ClientErrors_AreNotRetried()
    {
        var feed = host.Feed["denied"];
        feed.FailAlways = 403;

        var run = await host.RunAsync("kaifa-denied");

        Assert.False(run.Succeeded);
        Assert.Contains("403", run.Error, StringComparison.Ordinal);
        Assert.Single(feed.Requests);
        Assert.Equal(1, (await host.PollerHealthAsync("kaifa-denied")).GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task AFeedThatDoesNotAnswer_TimesOut_AndIsRetried()
    {
        var feed = host.Feed["slow"];
        feed.Hang = true;

        var run = await host.RunAsync("kaifa-slow");

        Assert.False(run.Succeeded);
        Assert.Contains("timed out", run.Error, StringComparison.Ordinal);
        Assert.Equal(PollingHost.MaxAttempts, feed.Requests.Count);
    }

    [Fact]
    public async Task ACrashAfterStoringBeforeTheCursorMoved_LosesNothing_AndStoresNothingTwice()
    {
        var feed = host.Feed["crash"];
        feed.Add([.. Enumerable.Range(1, 5).Select(n => PollingHost.Gasp($"CR-{n}", T0.AddSeconds(n)))]);
        host.Store.CrashNextAdvanceOf("kaifa-crash");

        var crashed = await host.RunAsync("kaifa-crash");

        Assert.False(crashed.Succeeded);
        Assert.Contains("simulated crash", crashed.Error, StringComparison.Ordinal);
        Assert.Equal(5, await host.CountAsync("kaifa_events", "event_id", "CR-"));
        Assert.Null(await host.CursorAsync("kaifa-crash"));

        var rerun = await host.RunAsync("kaifa-crash");

        Assert.True(rerun.Succeeded, rerun.Error);
        Assert.Equal((5, 0, 5), (rerun.Pulled, rerun.Accepted, rerun.Duplicates));
        Assert.Equal(5, await host.CountAsync("kaifa_events", "event_id", "CR-"));
        Assert.Equal("4", await host.CursorAsync("kaifa-crash"));
        Assert.Equal(0, (await host.RunAsync("kaifa-crash")).Pulled);
    }
}
