namespace OmsDashboard.Web.Tests.Polling;

/// <summary>
/// Pollers of a call center's tickets in another PostgreSQL database (its own column names): one
/// reads the table <c>callcenter_tickets</c> through a column mapping, two rows per page so that
/// page boundaries fall inside runs of equal <c>updated_at</c>; the other reads a query over
/// <c>callcenter_tickets_b</c> whose columns are named as the contract's fields.
/// </summary>
[Collection(PollingCollection.Name)]
public sealed class TablePollingTests(PollingHost host)
{
    private const string Poller = PollingHost.CallsTable;

    private Task InsertAsync(string ticket, string updatedAt, string problem = "no_power", string? account = "AC850000001", string table = "callcenter_tickets") =>
        host.CallCenter.ExecuteAsync($"""
            INSERT INTO {table} (ticket_no, account_no, caller_phone, street_address, latitude, longitude, problem_code, remarks, created_at, updated_at)
            VALUES ('{ticket}', {(account is null ? "NULL" : $"'{account}'")}, '+1 555 0100', '1 Main St', 34.01, -117.02, '{problem}', 'lights out',
                    '2026-11-27T13:04:00Z', '{updatedAt}')
            """);

    [Fact]
    public async Task RowsAreMapped_NewRowsArePulledBetweenRuns_AndRowsWithEqualTimesAreNotLost()
    {
        // Three tickets in one microsecond and one after: the first page ends inside the tie.
        const string Tie = "2026-11-27T13:05:00.123456Z";
        await InsertAsync("CC-A3", Tie);
        await InsertAsync("CC-A1", Tie);
        await InsertAsync("CC-A2", Tie);
        await InsertAsync("CC-A4", "2026-11-27T13:06:00Z");

        var first = await host.RunAsync(Poller);

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal((4, 4, 2), (first.Pulled, first.Accepted, first.Pages)); // A1 A2 | A3 A4: the boundary falls inside the tie
        Assert.Equal(4, await host.CountAsync("callcenter_tickets", "ticket_id", "CC-A"));
        var stored = await host.Database.ScalarAsync<string>("""
            SELECT concat_ws('|', account_number, category, occurred_at AT TIME ZONE 'UTC', round(ST_Y(location::geometry)::numeric, 2),
                   round(ST_X(location::geometry)::numeric, 2), address, caller_phone, notes)
              FROM callcenter_tickets WHERE ticket_id = 'CC-A1'
            """);
        Assert.Equal("AC850000001|no_power|2026-11-27 13:04:00|34.01|-117.02|1 Main St|+1 555 0100|lights out", stored);

        // Between runs: one ticket at the same time as the last one pulled (its key sorts after), one later.
        await InsertAsync("CC-A5", "2026-11-27T13:06:00Z");
        await InsertAsync("CC-A6", "2026-11-27T13:07:00Z");
        var second = await host.RunAsync(Poller);

        Assert.True(second.Succeeded, second.Error);
        Assert.Equal((2, 2), (second.Pulled, second.Accepted));
        Assert.Equal(6, await host.CountAsync("callcenter_tickets", "ticket_id", "CC-A"));
        Assert.Contains("CC-A6", await host.CursorAsync(Poller), StringComparison.Ordinal);

        var third = await host.RunAsync(Poller);
        Assert.Equal(0, third.Pulled);
    }

    [Fact]
    public async Task ABadRow_IsReportedByItsKey_AndTheOthersAreStored()
    {
        await InsertAsync("CC-B1", "2026-11-27T14:00:00Z", table: "callcenter_tickets_b");
        await InsertAsync("CC-B2", "2026-11-27T14:00:01Z", problem: "smoke", table: "callcenter_tickets_b");
        await InsertAsync("CC-B3", "2026-11-27T14:00:02Z", account: null, table: "callcenter_tickets_b");

        var run = await host.RunAsync(PollingHost.CallsQuery);

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal((3, 2, 1), (run.Pulled, run.Accepted, run.Rejected));
        Assert.Equal(1, await host.CountAsync("callcenter_tickets", "ticket_id", "CC-B1"));
        Assert.Equal(1, await host.CountAsync("callcenter_tickets", "ticket_id", "CC-B3")); // a place without an account is enough
        Assert.Equal(0, await host.CountAsync("callcenter_tickets", "ticket_id", "CC-B2"));
        var rejection = Assert.Single(await host.Store.RejectionsAsync(PollingHost.CallsQuery, 10));
        Assert.Equal("CC-B2", rejection.RecordId);
        Assert.StartsWith("postgres 127.0.0.1/", rejection.Location, StringComparison.Ordinal);
        Assert.EndsWith(" query row ticket_id=CC-B2", rejection.Location, StringComparison.Ordinal);
        Assert.Contains(rejection.Errors, e => e.Contains("category", StringComparison.Ordinal) && e.Contains("smoke", StringComparison.Ordinal));
    }
}
