using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

/// <summary>The night-shift theme is the operator's choice, kept across reloads and pages.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ThemeTests(DashboardApp app)
{
    [Fact]
    public async Task DarkTheme_ChosenOnce_SurvivesAReloadAndReachesTheSignInPage_AndLightComesBack()
    {
        await using var context = await app.NewContextAsync(1280, 800);
        var page = await context.NewPageAsync();
        await page.GotoAsync("network");
        await Pages.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator(".oms-dark")).ToHaveCountAsync(0);
        var toggle = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Toggle dark theme" });

        var zoomIn = page.Locator("[data-testid=network-map] .leaflet-control-zoom-in");
        await Expect(zoomIn).ToHaveCSSAsync("background-color", "rgb(255, 255, 255)");
        await toggle.ClickAsync();
        await Expect(page.Locator(".oms-dark")).ToHaveCountAsync(1);
        // Leaflet's own controls follow the theme on this map too (no white glare at night).
        await Expect(zoomIn).ToHaveCSSAsync("background-color", "rgb(42, 48, 56)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("network-dark-1280x800.png") });

        // A reload: the server's prerendered page is already dark (no light flash), and stays dark
        // once the circuit is up.
        var response = await page.ReloadAsync();
        Assert.NotNull(response);
        Assert.Contains("oms-dark", await response.TextAsync(), StringComparison.Ordinal);
        await Pages.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator(".oms-dark")).ToHaveCountAsync(1);

        // The sign-in page (its own layout, no circuit) follows the choice too: MudBlazor's dark palette.
        const string Background = "getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background').trim()";
        await using var signedOut = await app.NewContextAsync(role: null);
        var signIn = await signedOut.NewPageAsync();
        await signIn.GotoAsync("signin");
        string lightBackground = await signIn.EvaluateAsync<string>(Background);
        await signedOut.AddCookiesAsync((await context.CookiesAsync()).Where(c => c.Name == "oms-theme")
            .Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
        await signIn.ReloadAsync();
        string darkBackground = await signIn.EvaluateAsync<string>(Background);
        Assert.False(string.IsNullOrEmpty(lightBackground));
        Assert.NotEqual(lightBackground, darkBackground);

        // Back to light, and a reload keeps that too.
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Toggle dark theme" }).ClickAsync();
        await Expect(page.Locator(".oms-dark")).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Pages.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator(".oms-dark")).ToHaveCountAsync(0);
    }
}
