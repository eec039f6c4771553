using Microsoft.Playwright;
using OmsDashboard.Data.Identity;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

[Collection(DashboardCollection.Name)]
public sealed class SignInPageTests(DashboardApp app)
{
    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1024, 768)]
    public async Task SignInPage_Anonymous_IsWhereTheDashboardSendsYou_AndFitsTheScreen(int width, int height)
    {
        await using var context = await app.NewContextAsync(width, height, role: null);
        var page = await context.NewPageAsync();

        await page.GotoAsync("network");

        await page.WaitForURLAsync("**/signin?ReturnUrl=%2Fnetwork");
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("User name")).ToBeFocusedAsync();
        var card = await page.Locator(".oms-signin-card").BoundingBoxAsync();
        Assert.NotNull(card);
        Assert.True(card.X > 0 && card.Y > 0 && card.X + card.Width < width && card.Y + card.Height < height,
            $"the sign-in card ({card.X},{card.Y} {card.Width}×{card.Height}) is not inside {width}×{height}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor($"signin-{width}x{height}.png") });
    }

    [Fact]
    public async Task SignIn_ThroughTheForm_ShowsOperationsWithTheUserInTheAppBar()
    {
        await using var context = await app.NewContextAsync(role: null);
        var page = await context.NewPageAsync();
        await page.GotoAsync("");
        await page.WaitForURLAsync("**/signin?ReturnUrl=%2F");

        await DashboardApp.SignInAsync(page, OmsRoles.Manager);

        await Pages.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByTestId("customers-served")).ToHaveTextAsync("5,067");
        await Expect(page.GetByTestId("user-role")).ToHaveTextAsync("Manager");
        Assert.EndsWith("/", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WrongPassword_StaysOnTheFormWithAnError()
    {
        await using var context = await app.NewContextAsync(role: null);
        var page = await context.NewPageAsync();
        await page.GotoAsync("signin");

        await page.GetByLabel("User name").FillAsync(DashboardApp.UserFor(OmsRoles.Operator));
        await page.GetByLabel("Password").FillAsync("certainly not the password");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByTestId("signin-error")).ToHaveTextAsync("The user name or password is not right.");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == ".Oms.Session");
    }

    [Fact]
    public async Task CrewLead_OpeningRules_IsToldTheRoleMayNotUseIt()
    {
        await using var context = await app.NewContextAsync(role: OmsRoles.CrewLead);
        var page = await context.NewPageAsync();

        await page.GotoAsync("rules");

        await page.WaitForURLAsync("**/access-denied?ReturnUrl=%2Frules");
        var denied = page.GetByTestId("access-denied");
        await Expect(denied).ToContainTextAsync("You may not use this page");
        await Expect(denied).ToContainTextAsync("/rules");
        await Expect(denied).ToContainTextAsync("Crew lead");
        await Expect(page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Rules & storm mode" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task SignOut_FromTheAppBar_ReturnsToSignIn_AndThePagesAreClosedAgain()
    {
        await using var context = await app.NewContextAsync(role: null);
        var page = await context.NewPageAsync();
        await DashboardApp.SignInAsync(page, OmsRoles.Operator);
        await Pages.WaitUntilInteractiveAsync(page);

        await page.GetByTestId("sign-out").ClickAsync();

        await page.WaitForURLAsync("**/signin?ReturnUrl=%2F");
        await page.GotoAsync("network");
        await page.WaitForURLAsync("**/signin?ReturnUrl=%2Fnetwork");
    }
}
