using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OmsDashboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

/// <summary>
/// The outage page in the real app: a fuse fault's last gasps are stored and correlated over HTTP,
/// the operator opens the outage from the Operations grid and reads why the engine chose the fuse.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class OutageDetailTests(DashboardApp app)
{
    /// <summary>An IEEE 8500 fuse with 39 customers and a long way up to the substation; no other browser test faults it.</summary>
    private const string Fuse = "FUS:LN6505944-3";

    /// <summary>A day ahead (the app's own passes leave the signals in their hold), hours away from the other tests' faults.</summary>
    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(18);

    private async Task CorrelateAsync(DateTimeOffset asOf)
    {
        var counted = await app.CorrelateAsync(asOf);
        Assert.True(counted.GetProperty("created").GetInt32() >= 1, "the pass created no outage: " + counted.GetRawText());
    }

    [Fact]
    public async Task OutageDetail_OpenedFromTheGrid_ShowsThePredictedDeviceItsPathAndWhy()
    {
        await app.Database.StoreLastGaspsBelowAsync(Fuse, T0, "DETAIL");
        await CorrelateAsync(T0.AddMinutes(5));

        await using var context = await app.NewContextAsync(1920, 1080);
        var page = await context.NewPageAsync();
        await page.GotoAsync("");
        await Pages.WaitUntilInteractiveAsync(page);
        var row = page.Locator("[data-testid=outage-grid] tbody tr").Filter(new LocatorFilterOptions
        {
            Has = page.Locator($"[data-col=device][title='{Fuse}']"),
        });
        var link = row.GetByTestId("outage-event");
        await Expect(link).ToHaveCountAsync(1);
        string eventId = (await link.InnerTextAsync()).Trim();
        await link.ClickAsync();

        await page.WaitForURLAsync(new Regex("/outages/[0-9a-f-]{36}$"));
        await Expect(page.GetByTestId("outage-event-id")).ToHaveTextAsync(eventId);
        var firstStep = page.GetByTestId("path-step").First;
        await Expect(firstStep).ToHaveAttributeAsync("data-node-id", Fuse);
        await Expect(page.GetByTestId("path-step").Last).ToHaveAttributeAsync("data-kind", "substation");
        Assert.True(await page.GetByTestId("path-step").CountAsync() >= 4, "the path runs through the upstream devices and the feeder");
        await Expect(page.GetByTestId("explanation-text")).ToContainTextAsync("LN6505944-3 (fuse) explains");
        await Expect(page.Locator("[data-testid=confidence-part][data-source=kaifa]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=rule][data-rule=n_of_m]")).ToHaveAttributeAsync("data-fired", "true");
        await Expect(page.Locator("[data-testid=evidence-group][data-source=kaifa]")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("timeline-entry").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("customer-row").First).ToBeVisibleAsync();
        var map = page.GetByTestId("outage-area-map");
        await Expect(map).ToHaveAttributeAsync("data-area-device", Fuse);
        await Expect(map.Locator(".oms-area-device")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("outage-area-map-error")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("outage-detail-1920x1080.png") });

        // Wide screen: the why on the left, the map on the right, nothing wider than the screen.
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1920);
        var explanation = await page.GetByTestId("explanation").BoundingBoxAsync();
        var mapBox = await map.BoundingBoxAsync();
        Assert.NotNull(explanation);
        Assert.NotNull(mapBox);
        Assert.True(mapBox.X >= explanation.X + explanation.Width, "on a wide screen the map stands beside the explanation");

        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Toggle dark theme" }).ClickAsync();
        await Expect(page.Locator(".oms-dark")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("outage-detail-dark-1920x1080.png") });

        // A tablet opens the same page by its address: one column, the map first, nothing cut off.
        string url = page.Url;
        await using var tablet = await app.NewContextAsync(1024, 768);
        var small = await tablet.NewPageAsync();
        await small.GotoAsync(url);
        await Pages.WaitUntilInteractiveAsync(small);
        await Expect(small.GetByTestId("outage-area-map")).ToHaveAttributeAsync("data-area-device", Fuse);
        await Expect(small.GetByTestId("explanation-text")).ToBeVisibleAsync();
        await small.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("outage-detail-1024x768.png"), FullPage = true });
        Assert.True(await small.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1024, "nothing wider than the tablet");
        // The header's facts wrap between facts, not inside one: a device or feeder id broken over
        // two lines reads as two ids.
        var wrapped = await small.GetByTestId("outage-header").Locator("dd").EvaluateAllAsync<string[]>("""
            dds => dds.filter(d => d.getBoundingClientRect().height > 1.9 * parseFloat(getComputedStyle(d).fontSize) * 1.25)
                      .map(d => d.dataset.testid + ': ' + d.innerText)
            """);
        Assert.True(wrapped.Length == 0, "header facts broken over lines on a tablet: " + string.Join("; ", wrapped));
        var smallMap = await small.GetByTestId("outage-area-map").BoundingBoxAsync();
        var smallPath = await small.GetByTestId("device-path").BoundingBoxAsync();
        Assert.NotNull(smallMap);
        Assert.NotNull(smallPath);
        Assert.True(smallMap.Y + smallMap.Height <= smallPath.Y, "on a tablet the map comes first");
    }

    [Fact]
    public async Task OutageDetail_UnknownId_SaysThereIsNoSuchOutage()
    {
        await using var context = await app.NewContextAsync(1024, 768);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"outages/{Guid.NewGuid()}");
        await Pages.WaitUntilInteractiveAsync(page);

        await Expect(page.GetByTestId("outage-not-found")).ToContainTextAsync("No such outage");
    }
}
