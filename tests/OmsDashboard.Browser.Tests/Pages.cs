using Microsoft.Playwright;

namespace OmsDashboard.Browser.Tests;

/// <summary>Waits shared by the page tests: Playwright waits on the DOM, never sleeps.</summary>
internal static class Pages
{
    /// <summary>The Blazor circuit is up (MainLayout renders <c>RendererInfo.IsInteractive</c>).</summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive=true]").WaitForAsync();

    /// <summary>networkMap.js has drawn <paramref name="feeders"/> feeders into the map element.</summary>
    public static Task WaitUntilMapDrawnAsync(IPage page, int feeders = 2) =>
        page.Locator($"[data-testid=network-map][data-feeders-drawn=\"{feeders}\"]").WaitForAsync();
}
