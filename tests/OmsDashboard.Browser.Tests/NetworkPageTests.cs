using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

[Collection(DashboardCollection.Name)]
public sealed class NetworkPageTests(DashboardApp app)
{
    [Fact]
    public async Task NetworkPage_DemoNetwork_DrawsBothFeedersWithDevicesHeadsAndLegend()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("network");
        await Pages.WaitUntilInteractiveAsync(page);
        await Pages.WaitUntilMapDrawnAsync(page);

        var lines = page.Locator("path.oms-feeder");
        await Expect(lines).ToHaveCountAsync(2);
        var strokes = new List<string?>();
        for (int i = 0; i < 2; i++)
        {
            var box = await lines.Nth(i).BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Width > 50 && box.Height > 50, $"feeder line {i} is {box.Width}×{box.Height} px");
            strokes.Add(await lines.Nth(i).GetAttributeAsync("stroke"));
        }
        // Each line in its card's colour.
        var swatches = await page.Locator("[data-testid=feeder-card] .oms-feeder-swatch").EvaluateAllAsync<string[]>(
            "els => els.map(e => e.dataset.color)");
        Assert.Equal(swatches.Order(), strokes.Order());
        Assert.Equal(2, swatches.Distinct().Count());

        await Expect(page.Locator("path.oms-recloser")).ToHaveCountAsync(3);
        await Expect(page.Locator("path.oms-switch")).ToHaveCountAsync(42);
        await Expect(page.Locator("path.oms-feeder-head")).ToHaveCountAsync(2);
        var legend = page.GetByTestId("map-legend");
        await Expect(legend).ToContainTextAsync("LN5815900-1");
        await Expect(legend).ToContainTextAsync("fdr_05410");
        await Expect(legend).ToContainTextAsync("Recloser");
        await Expect(page.GetByTestId("map-error")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task NetworkPage_DemoNetwork_ShowsTotalsAndOneCardPerFeeder()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("network");
        await Pages.WaitUntilInteractiveAsync(page);

        var tiles = page.GetByTestId("kind-tiles");
        await Expect(tiles.Locator("[data-kind=customer]")).ToHaveTextAsync("5,067");
        await Expect(tiles.Locator("[data-kind=transformer]")).ToHaveTextAsync("1,995");
        await Expect(tiles.Locator("[data-kind=switch]")).ToHaveTextAsync("42");
        var ieee = page.Locator("[data-testid=feeder-card][data-feeder-id='FDR:LN5815900-1']");
        var epri = page.Locator("[data-testid=feeder-card][data-feeder-id='FDR:fdr_05410']");
        await Expect(ieee.Locator("[data-stat=customer]")).ToHaveTextAsync("1,177");
        await Expect(epri.Locator("[data-stat=customer]")).ToHaveTextAsync("3,890");
        await Expect(ieee.Locator(".oms-feeder-id")).ToHaveTextAsync("LN5815900-1");
        await Expect(ieee).ToContainTextAsync("Feeder breaker (Relay.SubBreaker on line LN5815900-1)");
    }

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1024, 768)]
    public async Task NetworkPage_AtScreenSize_FitsTheWidthAndPlacesCardsByTheMap(int width, int height)
    {
        await using var context = await app.NewContextAsync(width, height);
        var page = await context.NewPageAsync();

        await page.GotoAsync("network");
        await Pages.WaitUntilInteractiveAsync(page);
        await Pages.WaitUntilMapDrawnAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor($"network-{width}x{height}.png"), FullPage = true });

        // Nothing is cut off at the right (the old feeder table was): no horizontal scrolling,
        // and no card's content wider than the card.
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= width);
        var map = await page.GetByTestId("network-map").BoundingBoxAsync();
        Assert.NotNull(map);
        Assert.True(map.X + map.Width <= width, $"map reaches {map.X + map.Width} px of {width}");
        var cards = page.GetByTestId("feeder-card");
        await Expect(cards).ToHaveCountAsync(2);
        for (int i = 0; i < 2; i++)
        {
            var card = cards.Nth(i);
            var box = await card.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X + box.Width <= width, $"card {i} reaches {box.X + box.Width} px of {width}");
            Assert.True(await card.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), $"card {i} overflows");
            // The short id is the title, on one line.
            var title = await card.Locator(".oms-feeder-id").BoundingBoxAsync();
            Assert.NotNull(title);
            Assert.True(title.Height < 40, $"card {i} title is {title.Height} px high: it wraps");
            if (width >= 1280)
            {
                Assert.True(box.X >= map.X + map.Width, "on a wide screen the cards stand beside the map");
            }
            else
            {
                Assert.True(box.Y >= map.Y + map.Height, "on a tablet the cards come below the full-width map");
            }
        }
        var legend = await page.GetByTestId("map-legend").BoundingBoxAsync();
        Assert.NotNull(legend);
        Assert.True(legend.X >= map.X && legend.X + legend.Width <= map.X + map.Width && legend.Y >= map.Y,
            "the legend sits inside the map");
    }
}
