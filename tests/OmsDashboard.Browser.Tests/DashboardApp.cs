using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OmsDashboard.Data.Identity;
using OmsDashboard.Testing;
using OmsDashboard.Web.Security;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

/// <summary>
/// The real dashboard as a child process (<c>dotnet OmsDashboard.Web.dll</c>, Production) on a
/// fresh migrated database — the app imports the two demo feeders itself at start-up, as it does
/// for an operator — plus one headless Debian Chromium. Shared by every test of the assembly.
/// </summary>
public sealed partial class DashboardApp : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private IPlaywright? _playwright;
    private TestDatabase? _database;
    private IBrowser? _browser;

    /// <summary>
    /// The app's embedded default API key (every scope), given to it as <c>OMS_INGEST_API_KEY</c>:
    /// tests that call the API send it as <c>X-Api-Key</c>.
    /// </summary>
    public const string ApiKey = "oms-browser-test-key-3f9c2a7e51d84b06a1c7e2d9b4f80a6c";

    /// <summary>The admin account the app makes at start-up from <c>OMS_ADMIN_PASSWORD</c>.</summary>
    public const string AdminPassword = "browser-admin-password-5d2e";

    /// <summary>The password of the per-role users (<see cref="UserFor"/>) the fixture makes.</summary>
    public const string UserPassword = "browser user password 7c1a";

    private readonly Dictionary<string, string> _signedIn = [];
    private readonly SemaphoreSlim _signInLock = new(1, 1);

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>The fixture's user of <paramref name="role"/>.</summary>
    public static string UserFor(string role) => "browser-" + role.ToLowerInvariant();

    /// <summary>The app's database, for arranging stored signals directly.</summary>
    public TestDatabase Database => _database ?? throw new InvalidOperationException("the database has not been created");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser has not started");

    /// <summary>What the app printed so far, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // A half-started fixture is not disposed by xunit: do not leave the app running.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        _database = await TestDatabase.CreateMigratedAsync("browser");
        StartApp(_database.ConnectionString);
        BaseAddress = await WaitForAddressAsync();
        await CreateUsersAsync();

        // Expect(...) polls the DOM; on a busy 2-core CI machine 5 s (the default) can be short.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("OMS_CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    /// <summary>
    /// A fresh browser context (own circuit) of the given viewport, with the app as its base URL,
    /// signed in as the fixture's user of <paramref name="role"/> (default Operator; null: anonymous).
    /// Each role signs in once through the sign-in form; later contexts start with its cookies.
    /// </summary>
    /// <summary>
    /// A correlation pass over HTTP with the engine's clock at <paramref name="asOf"/>, as a source
    /// system or the scheduler asks for one; fails the test unless it answers 200, and returns what
    /// the pass counted.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> CorrelateAsync(DateTimeOffset asOf)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        using var response = await http.PostAsync($"api/oms/correlate?asOf={Uri.EscapeDataString(asOf.ToString("O"))}", null);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"correlate answered {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<IBrowserContext> NewContextAsync(int width = 1920, int height = 1080, string? role = OmsRoles.Operator)
    {
        string? state = role is null ? null : await SignedInStateAsync(role);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            StorageState = state,
        });
        context.SetDefaultTimeout(30_000);
        return context;
    }

    /// <summary>Signs <paramref name="page"/>'s context in as the fixture's user of <paramref name="role"/>, through the form.</summary>
    public static Task SignInAsync(IPage page, string role) => SignInAsync(page, UserFor(role), UserPassword);

    /// <summary>Fills and sends the sign-in form, and waits until the dashboard is up.</summary>
    public static async Task SignInAsync(IPage page, string userName, string password)
    {
        if (!page.Url.Contains("/signin", StringComparison.Ordinal))
        {
            await page.GotoAsync("signin");
        }
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync(userName);
    }

    private async Task<string> SignedInStateAsync(string role)
    {
        await _signInLock.WaitAsync();
        try
        {
            if (!_signedIn.TryGetValue(role, out string? state))
            {
                await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString() });
                context.SetDefaultTimeout(30_000);
                var page = await context.NewPageAsync();
                await SignInAsync(page, role);
                state = await context.StorageStateAsync();
                _signedIn[role] = state;
            }
            return state;
        }
        finally
        {
            _signInLock.Release();
        }
    }

    /// <summary>One user per role, made through the product's own user store on the app's database.</summary>
    private async Task CreateUsersAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection();
        services.AddSingleton(Database.DataSource);
        services.AddOmsIdentityStore();
        await using var provider = services.BuildServiceProvider();
        var users = provider.GetRequiredService<UserAdministration>();
        foreach (string role in OmsRoles.All)
        {
            var made = await users.CreateAsync(UserFor(role), role, UserPassword);
            if (!made.Succeeded)
            {
                throw new InvalidOperationException($"could not make the {role} user: {string.Join(" ", made.Errors)}");
            }
        }
    }

    private void StartApp(string connectionString)
    {
        // The project reference copies the app (dll, deps, runtimeconfig, static web assets
        // manifest) into this test's output folder: run that build, in its folder.
        string dll = Path.Combine(AppContext.BaseDirectory, "OmsDashboard.Web.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { dll, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["OMS_CONNECTION_STRING"] = connectionString;
        start.Environment["OMS_INGEST_API_KEY"] = ApiKey;
        start.Environment[AdminAccountOptions.PasswordVariable] = AdminPassword;
        start.Environment.Remove("Oms__Admin__UserName");
        // Tests arrange their own outages: no simulated feed, whatever the shell running them says.
        start.Environment["OMS_DEMO_FEED"] = "false";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");
        // The address is read from this log line: keep it whatever appsettings.json says.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        _process.Exited += (_, _) => _listening.TrySetException(
            new InvalidOperationException($"the dashboard exited before listening:{Environment.NewLine}{Output}"));
        if (!_process.Start())
        {
            throw new InvalidOperationException("could not start " + dll);
        }
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } m)
        {
            _listening.TrySetResult(new Uri(m.Groups[1].Value));
        }
    }

    private async Task<Uri> WaitForAddressAsync()
    {
        try
        {
            return await _listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the dashboard did not listen within {StartTimeout}:{Environment.NewLine}{Output}");
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        _browser = null;
        _playwright = null;
        if (_process is not null)
        {
            await AppProcess.KillAndWaitAsync(_process);
            _process.Dispose();
            _process = null;
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
            _database = null;
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardApp>
{
    public const string Name = "dashboard";
}

/// <summary>Where screenshots go: <c>artifacts/screenshots/</c> at the repository root.</summary>
internal static class Screenshots
{
    public static string PathFor(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OmsDashboard.sln")))
            {
                string folder = Path.Combine(dir.FullName, "artifacts", "screenshots");
                Directory.CreateDirectory(folder);
                return Path.Combine(folder, name);
            }
        }
        throw new DirectoryNotFoundException("cannot find OmsDashboard.sln above " + AppContext.BaseDirectory);
    }
}
