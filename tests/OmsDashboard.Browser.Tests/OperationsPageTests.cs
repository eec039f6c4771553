using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

[Collection(DashboardCollection.Name)]
public sealed class OperationsPageTests(DashboardApp app)
{
    [Fact]
    public async Task OperationsPage_DemoNetwork_ShowsCustomersServed()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("");
        await Pages.WaitUntilInteractiveAsync(page);

        await Expect(page.GetByTestId("customers-served")).ToHaveTextAsync("5,067");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("operations-1920x1080.png") });
    }

    [Theory]
    [InlineData("Network")]
    [InlineData("Open the network map")]
    public async Task OperationsPage_ClickNetworkLink_OpensTheDrawnNetworkMap(string link)
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("");
        await Pages.WaitUntilInteractiveAsync(page);

        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = link, Exact = true }).ClickAsync();

        await page.WaitForURLAsync("**/network");
        await Pages.WaitUntilMapDrawnAsync(page);
        await Expect(page.GetByTestId("feeder-card")).ToHaveCountAsync(2);
    }
}
