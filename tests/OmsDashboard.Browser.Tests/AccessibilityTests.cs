using Microsoft.Playwright;
using OmsDashboard.Data.Identity;
using OmsDashboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

/// <summary>
/// Every main screen, in both themes, checked by axe-core (from npm, package.json) against WCAG 2
/// A and AA: no serious or critical violation. A control room reads these screens at 3 a.m. and a
/// crew lead in a sunlit truck; contrast and names of controls are part of "pleasant to use".
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class AccessibilityTests(DashboardApp app)
{
    /// <summary>An IEEE 8500 fuse no other browser test faults, so the grid has rows and the map a marker.</summary>
    private const string Fuse = "FUS:LN6352702-1";

    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(6);

    private static readonly string AxeScript = Path.Combine(RepoPaths.Root, "node_modules", "axe-core", "axe.min.js");

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task MainScreens_InBothThemes_HaveNoSeriousAccessibilityViolations(string theme)
    {
        Assert.True(File.Exists(AxeScript), $"axe-core is not installed ({AxeScript}): the web project's build runs npm install");
        await EnsureAnOutageAsync();
        await using var context = await app.NewContextAsync(1920, 1080, OmsRoles.Admin);
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "oms-theme", Value = theme, Url = app.BaseAddress.ToString() }]);
        var page = await context.NewPageAsync();

        var found = new List<string>();
        foreach (string path in new[] { "", "network", "rules", "admin/users" })
        {
            await page.GotoAsync(path);
            await Pages.WaitUntilInteractiveAsync(page);
            if (path == "")
            {
                await Expect(page.GetByTestId("outage-event").First).ToBeVisibleAsync();
                await Expect(page.Locator(".oms-outage-marker").First).ToBeVisibleAsync();
            }
            found.AddRange(await ViolationsAsync(page, "/" + path));
            if (path == "admin/users")
            {
                // A confirmation dialog, as MudBlazor draws it over the page; cancelled, nothing changes.
                await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Reset password" }).First.ClickAsync();
                var dialog = page.Locator(".mud-dialog");
                await Expect(dialog).ToBeVisibleAsync();
                found.AddRange(await ViolationsAsync(page, "/admin/users with the reset dialog"));
                await dialog.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Cancel" }).ClickAsync();
                await Expect(dialog).ToHaveCountAsync(0);
            }
        }
        // The outage page, opened from the grid.
        await page.GotoAsync("");
        await Pages.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("outage-event").First.ClickAsync();
        await Expect(page.GetByTestId("explanation-text")).ToBeVisibleAsync();
        found.AddRange(await ViolationsAsync(page, "/outages/{id}"));
        // With an action form open (the ETR: a date field, a reason, two buttons).
        await page.GetByTestId("action-etr").ClickAsync();
        await Expect(page.GetByTestId("action-form")).ToBeVisibleAsync();
        found.AddRange(await ViolationsAsync(page, "/outages/{id} with the ETR form"));

        Assert.True(found.Count == 0, $"{theme} theme:\n" + string.Join("\n", found));
    }

    [Fact]
    public async Task SignInPage_HasNoSeriousAccessibilityViolations()
    {
        await using var context = await app.NewContextAsync(1024, 768, role: null);
        var page = await context.NewPageAsync();
        await page.GotoAsync("signin");
        await Expect(page.GetByLabel("User name")).ToBeVisibleAsync();

        var found = await ViolationsAsync(page, "/signin");
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    /// <summary>axe-core's serious and critical WCAG 2 A/AA violations on the page as it is now, one line per element.</summary>
    private static async Task<List<string>> ViolationsAsync(IPage page, string where)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxeScript });
        var lines = await page.EvaluateAsync<string[]>("""
            async () => {
              const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'], resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${(n.failureSummary || '').replace(/\s+/g, ' ')}`));
            }
            """);
        return [.. lines.Select(l => $"{where}: {l}")];
    }

    private async Task EnsureAnOutageAsync()
    {
        if (await app.Database.ScalarAsync<long>($"SELECT count(*) FROM kaifa_events WHERE event_id LIKE 'A11Y-%'") == 0)
        {
            await app.Database.StoreLastGaspsBelowAsync(Fuse, T0, "A11Y");
        }
        await app.CorrelateAsync(T0.AddMinutes(5));
    }
}
