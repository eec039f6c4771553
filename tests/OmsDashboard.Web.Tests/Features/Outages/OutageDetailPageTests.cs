using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Features.Outages;
using OmsDashboard.Web.Realtime;
using OmsDashboard.Web.Tests.Features.Operations;
using OmsDashboard.Web.Tests.Infrastructure;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Outages;

/// <summary>
/// The outage page on a real database holding both demo feeders, live through a real
/// <see cref="OutageNotifier"/>. Each test starts from no outages and arranges its own rows.
/// </summary>
public sealed class OutageDetailPageTests(DemoNetworkDatabase db) : IClassFixture<DemoNetworkDatabase>, IAsyncLifetime
{
    private const string Fuse = "FUS:LN5985355-3";
    private readonly ManualTime _time = new(Now);
    private readonly OutageNotifier _notifier = new();
    private OmsTestContext _ctx = default!;

    public async Task InitializeAsync()
    {
        await db.Database.ExecuteAsync("DELETE FROM oms_outage_events");
        _ctx = Context(db.DataSource, _time, _notifier);
        // The area map's module: calls answer their defaults (loose mode); only that it exists matters here.
        _ctx.JSInterop.SetupModule(OutageMap.ModulePath);
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    private IRenderedComponent<OutageDetailPage> Open(object key)
    {
        var cut = _ctx.Render<OutageDetailPage>(p => p.Add(x => x.Id, key.ToString()!));
        cut.WaitForElement("[data-testid=outage-header], [data-testid=outage-not-found]");
        return cut;
    }

    /// <summary>Signals attached to the outage: (source, type, count), at one-minute steps from <see cref="OperationsKit.Now"/> − 30 min.</summary>
    private async Task AttachAsync(Guid outage, params (string Source, string Type, int Count)[] signals)
    {
        int n = 0;
        foreach (var (source, type, count) in signals)
        {
            for (int i = 0; i < count; i++, n++)
            {
                await db.Database.ExecuteAsync($"""
                    INSERT INTO oms_event_sources (outage_event_id, source_type, source_event_id, signal_type, detected_at, received_at, weight, asset_id, correlated_at)
                    VALUES ('{outage}', '{source}', '{source}-{outage:N}-{n}', '{type}', '{Now.AddMinutes(-30 + n):O}', '{Now.AddMinutes(-30 + n).AddSeconds(40):O}', 0.8, 'A-{n}', now())
                    """);
            }
        }
    }

    private async Task TimelineAsync(Guid outage, DateTimeOffset at, string type, string description, string actor = "system", string? to = null) =>
        await db.Database.ExecuteAsync($"""
            INSERT INTO oms_event_timeline (outage_event_id, occurred_at, entry_type, to_status, description, actor)
            VALUES ('{outage}', '{at:O}', '{type}', {(to is null ? "NULL" : $"'{to}'")}, '{description}', '{actor}')
            """);

    [Fact]
    public async Task OutageDetail_StoredOutage_HeaderPathAndTimelineNewestFirstWithTheUser()
    {
        var id = await InsertOutageAsync(db.DataSource, "OUT-20261127-0042", "confirmed", Now.AddMinutes(-40), customers: 42, hazard: true);
        // Written out of order: the page orders them.
        await TimelineAsync(id, Now.AddMinutes(-39), "status_changed", "confidence 0.93 reached the standard threshold 0.70", to: "confirmed");
        await TimelineAsync(id, Now.AddMinutes(-10), "note", "crew reports a tree on the line", actor: "j.doe");
        await TimelineAsync(id, Now.AddMinutes(-40), "created", "predicted at FUS:LN5985355-3 (fuse)", to: "unconfirmed");

        var cut = Open(id);

        Assert.Equal("OUT-20261127-0042", cut.Find("[data-testid=outage-event-id]").TextContent.Trim());
        Assert.Contains(id.ToString(), cut.Find("[data-testid=outage-event-id]").GetAttribute("title"), StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=outage-hazard]"));
        Assert.Equal("42", cut.Find("[data-testid=outage-customers]").TextContent.Trim());
        Assert.Contains("(40 min)", cut.Find("[data-testid=outage-started]").TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=outage-actions]"));
        var path = cut.FindAll("[data-testid=path-step]");
        Assert.Equal((Fuse, "fuse"), (path[0].GetAttribute("data-node-id"), path[0].GetAttribute("data-kind")));
        Assert.Equal(["feeder", "substation"], path.TakeLast(2).Select(p => p.GetAttribute("data-kind")));

        var entries = cut.FindAll("[data-testid=timeline-entry]");
        Assert.Equal(["note", "status_changed", "created"], entries.Select(e => e.GetAttribute("data-type")));
        Assert.Equal("j.doe", entries[0].QuerySelector("[data-testid=timeline-user]")!.TextContent.Trim());
        Assert.Null(entries[1].QuerySelector("[data-testid=timeline-user]"));
        Assert.Contains("crew reports a tree on the line", entries[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutageDetail_Evidence_GroupedBySourceWithCountsAndFilterable()
    {
        var id = await InsertOutageAsync(db.DataSource, "OUT-20261127-0043", "confirmed", Now.AddMinutes(-40));
        await AttachAsync(id, ("kaifa", "last_gasp", 27), ("onu", "dying_gasp", 4), ("callcenter", "no_power", 2), ("callcenter", "wire_down", 1));

        var cut = Open(id);

        var groups = cut.FindAll("[data-testid=evidence-group]")
            .ToDictionary(g => g.GetAttribute("data-source")!, g => g.QuerySelector("[data-testid=evidence-group-count]")!.TextContent.Trim());
        Assert.Equal(new Dictionary<string, string> { ["all"] = "34", ["kaifa"] = "27", ["onu"] = "4", ["callcenter"] = "3" }, groups);
        Assert.Equal(["all", "kaifa", "onu", "callcenter"], cut.FindAll("[data-testid=evidence-group]").Select(g => g.GetAttribute("data-source")));
        Assert.Contains("2 no power, 1 wire down", cut.Find("[data-testid=evidence-group][data-source=callcenter]").GetAttribute("title"), StringComparison.Ordinal);
        // A page of 25, newest first: the last attached (a call) on top. Rows may arrive a render after the header.
        cut.WaitForAssertion(() => Assert.Equal(OutageDetailViewModel.EvidencePageSize, cut.FindAll("[data-testid=evidence-row]").Count));
        Assert.Equal("callcenter", cut.Find("[data-testid=evidence-row]").GetAttribute("data-source"));

        cut.Find("[data-testid=evidence-next]").Click();
        cut.WaitForAssertion(() => Assert.Equal(34 - OutageDetailViewModel.EvidencePageSize, cut.FindAll("[data-testid=evidence-row]").Count));

        cut.Find("[data-testid=evidence-group][data-source=onu]").Click();
        cut.WaitForAssertion(() => Assert.Equal(["onu", "onu", "onu", "onu"], cut.FindAll("[data-testid=evidence-row]").Select(r => r.GetAttribute("data-source"))));
        Assert.Equal("true", cut.Find("[data-testid=evidence-group][data-source=onu]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task OutageDetail_MergedOutage_LinksToTheSurvivor()
    {
        var survivor = await InsertOutageAsync(db.DataSource, "OUT-20261127-0050", "confirmed", Now.AddMinutes(-50), device: "RCL:LN5587291-1", kind: "recloser");
        var merged = await InsertOutageAsync(db.DataSource, "OUT-20261127-0051", "merged", Now.AddMinutes(-45));
        await db.Database.ExecuteAsync($"UPDATE oms_outage_events SET merged_into_id = '{survivor}' WHERE id = '{merged}'");

        var cut = Open(merged);

        var link = cut.Find("[data-testid=outage-survivor-link]");
        Assert.Equal($"/outages/{survivor}", link.GetAttribute("href"));
        Assert.Equal("OUT-20261127-0050", link.TextContent.Trim());
    }

    [Fact]
    public async Task OutageDetail_MergedWhileOpen_HeaderAndSurvivorLinkFollowThePush()
    {
        var survivor = await InsertOutageAsync(db.DataSource, "OUT-20261127-0060", "confirmed", Now.AddMinutes(-50), device: "RCL:LN5587291-1", kind: "recloser");
        var id = await InsertOutageAsync(db.DataSource, "OUT-20261127-0061", "unconfirmed", Now.AddMinutes(-5), customers: 7);
        var cut = Open(id);
        Assert.Empty(cut.FindAll("[data-testid=outage-merged]"));
        Assert.Equal("unconfirmed", cut.Find("[data-testid=outage-header] [data-status]").GetAttribute("data-status"));

        // The pass merges it, then the broadcaster pushes the merged outage's latest state.
        await db.Database.ExecuteAsync($"UPDATE oms_outage_events SET status = 'merged', merged_into_id = '{survivor}' WHERE id = '{id}'");
        var pushed = (await new OutageQueries(db.DataSource).GetManyAsync([id])).Single();
        _ = _notifier.PublishAsync([Update(pushed, "merged")]);

        cut.WaitForAssertion(() => Assert.Equal("OUT-20261127-0060", cut.Find("[data-testid=outage-survivor-link]").TextContent.Trim()));
        Assert.Equal("merged", cut.Find("[data-testid=outage-header] [data-status]").GetAttribute("data-status"));
        Assert.Equal($"/outages/{survivor}", cut.Find("[data-testid=outage-survivor-link]").GetAttribute("href"));
    }

    [Fact]
    public async Task OutageDetail_UpdatePushedForAnotherOutage_ChangesNothing()
    {
        var id = await InsertOutageAsync(db.DataSource, "OUT-20261127-0070", "probable", Now.AddMinutes(-5), customers: 12);
        var cut = Open(id);

        _ = _notifier.PublishAsync([Update(Outage("OUT-20261127-0071", Now, customers: 999), "created")]);
        // As the pass does: the row is committed before its push (the page reads it again after
        // the push; a push the database contradicts would be undone by that read).
        await db.Database.ExecuteAsync($"UPDATE oms_outage_events SET status = 'confirmed', affected_customers_count = 15 WHERE id = '{id}'");
        var own = Outage("OUT-20261127-0070", Now.AddMinutes(-5), status: "confirmed", customers: 15, id: id);
        _ = _notifier.PublishAsync([Update(own, "updated")]);

        cut.WaitForAssertion(() => Assert.Equal("15", cut.Find("[data-testid=outage-customers]").TextContent.Trim()));
        Assert.Equal("OUT-20261127-0070", cut.Find("[data-testid=outage-event-id]").TextContent.Trim());
    }

    [Fact]
    public async Task OutageDetail_AffectedCustomers_PagedAndSearchableByAccount()
    {
        var id = await InsertOutageAsync(db.DataSource, "OUT-20261127-0080", "confirmed", Now.AddMinutes(-40));
        long below = await db.Database.ScalarAsync<long>($"""
            WITH RECURSIVE d AS (SELECT id FROM network_devices WHERE id = '{Fuse}' UNION ALL SELECT n.id FROM network_devices n JOIN d ON n.parent_device_id = d.id)
            SELECT count(*) FROM oms_customers c JOIN network_distribution_points p ON p.id = c.distribution_point_id WHERE p.parent_device_id IN (SELECT id FROM d)
            """);
        string account = await db.Database.ScalarAsync<string>($"""
            SELECT c.account_number FROM oms_customers c JOIN network_distribution_points p ON p.id = c.distribution_point_id
             WHERE p.parent_device_id = '{Fuse}' ORDER BY c.id DESC LIMIT 1
            """);

        var cut = Open(id);

        // The header comes with the summary; customers may arrive a render later.
        cut.WaitForAssertion(() => Assert.Contains($"{below} below", cut.Find("[data-testid=customers-total]").TextContent, StringComparison.Ordinal));
        var first = cut.FindAll("[data-testid=customer-row]").Select(r => r.GetAttribute("data-customer-id")).ToList();
        Assert.Equal((int)Math.Min(below, OutageDetailViewModel.CustomerPageSize), first.Count);
        cut.Find("[data-testid=customers-next]").Click();
        cut.WaitForAssertion(() => Assert.DoesNotContain(cut.FindAll("[data-testid=customer-row]").Select(r => r.GetAttribute("data-customer-id")), first.Contains));

        cut.Find("input[data-testid=customers-search], [data-testid=customers-search] input").Input(account);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=customer-row]")), TimeSpan.FromSeconds(10));
        Assert.Contains(account, cut.Find("[data-testid=customer-row]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void OutageDetail_NoSuchOutage_FriendlyNotFound()
    {
        var cut = Open(Guid.NewGuid());

        Assert.Contains("No such outage", cut.Find("[data-testid=outage-not-found]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=outage-header]"));

        var byEventId = Open("OUT-19990101-0001");
        Assert.Contains("OUT-19990101-0001", byEventId.Find("[data-testid=outage-not-found]").TextContent, StringComparison.Ordinal);
    }
}
