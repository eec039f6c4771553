using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OmsDashboard.Data.Identity;
using OmsDashboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

/// <summary>
/// The operator's round trip in the real app: signed in, a customer's call posted through the
/// ingestion API becomes an outage on the grid and the map without a reload; the operator opens
/// it and confirms it; the timeline shows who did it, and a second signed-in browser (a manager,
/// read only) sees the change arrive live.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class OutageActionsLiveTests(DashboardApp app)
{
    /// <summary>Tomorrow evening: after the other browser tests' faults, and held back from the app's own passes (clock = now).</summary>
    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(18);

    /// <summary>A customer of the IEEE feeder under no device the other browser tests fault: (customer id, account).</summary>
    private async Task<(string Customer, string Account)> QuietCustomerAsync()
    {
        string customer = await app.Database.ScalarAsync<string>($"""
            {StoredSignals.AboveAndBelowIeeeFuse}
            SELECT c.id FROM oms_customers c JOIN network_distribution_points p ON p.id = c.distribution_point_id
              JOIN network_devices f ON f.id = p.parent_device_id
             WHERE f.kind = 'fuse' AND f.id NOT IN (SELECT id FROM up) AND f.id NOT IN (SELECT id FROM down)
               AND p.feeder_id = (SELECT feeder_id FROM network_devices WHERE id = '{StoredSignals.IeeeFuse}')
             ORDER BY c.id DESC LIMIT 1
            """);
        string account = await app.Database.ScalarAsync<string>($"SELECT account_number FROM oms_customers WHERE id = '{customer}'");
        return (customer, account);
    }

    /// <summary>
    /// Ends this test's outage through the product (cancel), so its marker does not cluster with the
    /// markers other tests of the collection look for.
    /// </summary>
    private async Task CancelOutagesAtAsync(string device)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", DashboardApp.ApiKey);
        string ids = await app.Database.ScalarAsync<string>(
            $"SELECT coalesce(string_agg(id::text, ','), '') FROM oms_outage_events WHERE device_id = '{device}' AND status IN ('unconfirmed', 'probable', 'confirmed')");
        foreach (string id in ids.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            using var response = await http.PostAsJsonAsync($"api/oms/outages/{id}/actions", new { action = "cancel", reason = "test over" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task<IPage> OpenOperationsAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("");
        await Pages.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("outage-grid").WaitForAsync();
        await page.EvaluateAsync("() => { window.omsSamePage = true; }");
        return page;
    }

    private static ILocator RowOf(IPage page, string device) =>
        page.Locator("[data-testid=outage-grid] tbody tr").Filter(new LocatorFilterOptions { Has = page.Locator($"[data-col=device][title='{device}']") });

    [Fact]
    public async Task Operator_ConfirmsAnOutageFromItsPage_TheTimelineShowsItAndASecondBrowserSeesItLive()
    {
        var (customer, _) = await QuietCustomerAsync();
        try
        {
            await ConfirmRoundTripAsync();
        }
        finally
        {
            await CancelOutagesAtAsync(customer);
        }
    }

    private async Task ConfirmRoundTripAsync()
    {
        var (customer, account) = await QuietCustomerAsync();
        await using var operatorContext = await app.NewContextAsync(1920, 1080, OmsRoles.Operator);
        await using var managerContext = await app.NewContextAsync(1920, 1080, OmsRoles.Manager);
        var operatorPage = await OpenOperationsAsync(operatorContext);
        var managerPage = await OpenOperationsAsync(managerContext);
        await Expect(RowOf(operatorPage, customer)).ToHaveCountAsync(0);

        // A source system posts one customer's call (weight 0.4: an unconfirmed service outage).
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", DashboardApp.ApiKey);
        var posted = await http.PostAsJsonAsync("api/oms/events/callcenter", new[]
        {
            new { ticketId = $"CC-E2E-{Guid.NewGuid():N}", accountNumber = account, category = "no_power", reportedAt = T0 },
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var pass = await http.PostAsync($"api/oms/correlate?asOf={Uri.EscapeDataString(T0.AddMinutes(5).ToString("O"))}", null);
        Assert.Equal(HttpStatusCode.OK, pass.StatusCode);

        // Both screens get it through the push: grid row and map marker, no reload.
        var row = RowOf(operatorPage, customer);
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "unconfirmed");
        string eventId = (await row.GetByTestId("outage-event").InnerTextAsync()).Trim();
        await Expect(operatorPage.Locator($"[data-testid=outage-map] .oms-outage-marker[data-event-id='{eventId}']")).ToBeVisibleAsync();
        await Expect(RowOf(managerPage, customer)).ToHaveCountAsync(1);
        Assert.True(await operatorPage.EvaluateAsync<bool>("() => window.omsSamePage === true"), "the page was reloaded");

        // Both open the outage; the manager may read, not act.
        await row.GetByTestId("outage-event").ClickAsync();
        await operatorPage.WaitForURLAsync(new Regex("/outages/[0-9a-f-]{36}$"));
        await managerPage.GotoAsync(operatorPage.Url);
        await Pages.WaitUntilInteractiveAsync(managerPage);
        var managerStatus = managerPage.Locator("[data-testid=outage-header] [data-status]");
        await Expect(managerStatus).ToHaveAttributeAsync("data-status", "unconfirmed");
        await Expect(managerPage.GetByTestId("outage-action-bar")).ToHaveCountAsync(0);

        // The operator confirms it.
        await operatorPage.GetByTestId("action-confirm").ClickAsync();
        await Expect(operatorPage.Locator("[data-testid=outage-header] [data-status]")).ToHaveAttributeAsync("data-status", "confirmed");
        var entry = operatorPage.Locator("[data-testid=timeline-entry]").Filter(new LocatorFilterOptions { HasText = "confirmed by" });
        await Expect(entry).ToHaveCountAsync(1);
        await Expect(entry.GetByTestId("timeline-user")).ToContainTextAsync(DashboardApp.UserFor(OmsRoles.Operator));
        await Expect(operatorPage.GetByTestId("action-confirm")).ToHaveCountAsync(0);
        await operatorPage.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("outage-actions-1920x1080.png") });

        // The manager's page follows without a reload.
        await Expect(managerStatus).ToHaveAttributeAsync("data-status", "confirmed");
        await Expect(managerPage.Locator("[data-testid=timeline-entry]").Filter(new LocatorFilterOptions { HasText = "confirmed by" })).ToHaveCountAsync(1);
        Assert.Equal("confirmed", await app.Database.ScalarAsync<string>($"SELECT status FROM oms_outage_events WHERE event_id = '{eventId}'"));
    }

    [Fact]
    public async Task ActionBar_OnATablet_FitsAndOpensTheEtrForm()
    {
        var (quiet, _) = await QuietCustomerAsync();
        try
        {
            await TabletAsync();
        }
        finally
        {
            await CancelOutagesAtAsync(quiet);
        }
    }

    private async Task TabletAsync()
    {
        // The customer's call (again, if the other test ran first: then it joins that outage).
        var (customer, account) = await QuietCustomerAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", DashboardApp.ApiKey);
        var posted = await http.PostAsJsonAsync("api/oms/events/callcenter", new[]
        {
            new { ticketId = $"CC-TAB-{Guid.NewGuid():N}", accountNumber = account, category = "no_power", reportedAt = T0.AddSeconds(30) },
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"api/oms/correlate?asOf={Uri.EscapeDataString(T0.AddMinutes(6).ToString("O"))}", null)).StatusCode);
        string id = await app.Database.ScalarAsync<string>($"SELECT id::text FROM oms_outage_events WHERE device_id = '{customer}' ORDER BY first_detected_at DESC LIMIT 1");

        // A crew lead on a tablet may act on outages.
        await using var context = await app.NewContextAsync(1024, 768, OmsRoles.CrewLead);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"outages/{id}");
        await Pages.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("action-etr").ClickAsync();
        await Expect(page.GetByTestId("action-form")).ToBeVisibleAsync();

        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1024, "nothing wider than the tablet");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("outage-actions-1024x768.png") });
    }
}
