using Bunit;
using OmsDashboard.Data;
using OmsDashboard.Web.Features.Network;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Features.Network;

/// <summary>The Network page before any network is imported, and without a database.</summary>
public sealed class NetworkPageEmptyTests(EmptyNetworkDatabase db) : IClassFixture<EmptyNetworkDatabase>
{
    [Fact]
    public void NetworkPage_NothingImported_ShowsTheImportHintAndNoMap()
    {
        using var ctx = new OmsTestContext(db.DataSource);

        var cut = ctx.Render<NetworkPage>();

        var alert = cut.WaitForElement("[data-testid=network-empty]");
        Assert.Contains("oms import", alert.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=kind-tiles]"));
        Assert.Empty(cut.FindAll("[data-testid=network-map]"));
        Assert.Empty(ctx.JSInterop.Invocations);
    }

    [Fact]
    public async Task NetworkPage_DatabaseUnreachable_ShowsTheErrorInsteadOfThrowing()
    {
        // Port 1 on the loopback: nothing listens, the connection is refused at once.
        await using var unreachable = OmsDatabase.CreateDataSource("Host=127.0.0.1;Port=1;Username=postgres;Database=oms;Timeout=5");
        using var ctx = new OmsTestContext(unreachable);

        var cut = ctx.Render<NetworkPage>();

        var alert = cut.WaitForElement("[data-testid=network-error]");
        Assert.Contains("could not be loaded", alert.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=network-empty]"));
    }
}
