using Bunit;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Features.Shared;
using OmsDashboard.Web.Polling;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>The header's source display marks a failing poller with a red chip whose tooltip carries its error.</summary>
public sealed class PollerChipTests(EmptyNetworkDatabase db) : IClassFixture<EmptyNetworkDatabase>
{
    private static PollerHealthDto Poller(string name, string status, int failures, string? error) =>
        new(name, "callcenter", "postgres", status, "00:01:00", null, null, null, null, null, error, failures, 0, 0, null, null);

    [Fact]
    public async Task AFailingPoller_IsARedChipWithItsError_AndAHealthyOneIsNot()
    {
        await using var ctx = new OmsTestContext(db.DataSource);
        var model = new OperationsViewModel(new ManualTime(OperationsKit.Now));
        model.SetPollers([
            Poller("calls-db", "failing", 3, "postgres 10.0.0.5/tickets callcenter_tickets: connection refused (gave up after 4 tries)"),
            Poller("scada-feed", "ok", 0, "an old error, since recovered"),
        ]);
        model.Load([], new KpiSnapshot(0, 0), StormModeQuery.Off);

        var cut = ctx.Render<OperationsHeader>(p => p.Add(h => h.Model, model));

        var chip = Assert.Single(cut.FindAll("[data-testid=kpi-poller-failing]"));
        Assert.Equal("calls-db", chip.GetAttribute("data-poller"));
        Assert.Contains("calls-db failing", chip.TextContent, StringComparison.Ordinal);
        string? title = chip.GetAttribute("title");
        Assert.Contains("3 failed runs in a row", title, StringComparison.Ordinal);
        Assert.Contains("connection refused", title, StringComparison.Ordinal);
    }
}
