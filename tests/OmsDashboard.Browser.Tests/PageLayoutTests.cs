using Microsoft.Playwright;
using OmsDashboard.Data.Identity;

namespace OmsDashboard.Browser.Tests;

/// <summary>
/// What every page shares: its content stands clear of the navigation and the window's edge, and
/// the heading that Blazor focuses after a navigation shows no focus ring. Both were once broken
/// on the Rules page (its container shared a class with the explanation panel's rule list, which
/// zeroes padding) and on every page (the ring), and were seen only in screenshots.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class PageLayoutTests(DashboardApp app)
{
    [Theory]
    [InlineData("rules", 1920, 1080)]
    [InlineData("rules", 1024, 768)]
    [InlineData("network", 1024, 768)]
    [InlineData("admin/users", 1920, 1080)]
    public async Task Page_AtScreenSize_KeepsItsMarginsAndFocusesItsHeadingWithoutARing(string path, int width, int height)
    {
        await using var context = await app.NewContextAsync(width, height, OmsRoles.Admin);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await Pages.WaitUntilInteractiveAsync(page);
        var main = await page.Locator(".oms-main").BoundingBoxAsync() ?? throw new InvalidOperationException("no main content");
        var content = await page.Locator(".oms-main > .mud-container").First.BoundingBoxAsync() ?? throw new InvalidOperationException("no page container");
        var heading = page.Locator(".oms-main h1").First;
        var box = await heading.BoundingBoxAsync() ?? throw new InvalidOperationException("no heading");

        // MudContainer's gutter: at least 12 px between the main area's edge and the text.
        Assert.True(box.X - main.X >= 12, $"{path} at {width}: the heading starts {box.X - main.X:F0} px from the main area's left edge");
        Assert.True(main.X + main.Width - (content.X + content.Width) >= 0, $"{path} at {width}: the content runs past the main area");
        double inner = await page.Locator(".oms-main > .mud-container").First.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).paddingLeft)");
        Assert.True(inner >= 12, $"{path} at {width}: the page container has {inner} px of left padding");

        await heading.FocusAsync();
        string outline = await heading.EvaluateAsync<string>("e => document.activeElement === e ? getComputedStyle(e).outlineStyle : 'not focused'");
        Assert.Equal("none", outline);
    }
}
