using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OmsDashboard.Testing;
using OmsDashboard.Web.Security;
using OmsDashboard.Web.Tests.Ingestion;

namespace OmsDashboard.Web.Tests.Security;

/// <summary>With no admin password configured, the first start makes one and logs it once; restarts do not.</summary>
public sealed partial class GeneratedAdminPasswordTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateMigratedAsync("web_admin_pw");

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private WebApplicationFactory<Program> Start(ConcurrentQueue<string> log) =>
        IngestionHost.Create(_db, b =>
        {
            // Whatever the machine running the tests has in its environment.
            b.UseSetting(AdminAccountOptions.PasswordVariable, "");
            b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(new ListLogger(log))));
        });

    [Fact]
    public async Task FirstStart_LogsAGeneratedPasswordThatSignsIn_ARestartLogsNoPassword()
    {
        var firstLog = new ConcurrentQueue<string>();
        string password;
        await using (var first = Start(firstLog))
        {
            _ = first.Server;
            var line = Assert.Single(firstLog, l => l.Contains("admin account 'admin' created", StringComparison.Ordinal));
            password = PasswordInLog().Match(line).Groups[1].Value;
            Assert.Equal(23, password.Length);

            using var client = first.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            using var signIn = await SignInHost.PostSignInAsync(client, "admin", password);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        var secondLog = new ConcurrentQueue<string>();
        await using (var second = Start(secondLog))
        {
            _ = second.Server;
            using var client = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            using var signIn = await SignInHost.PostSignInAsync(client, "admin", password);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        Assert.DoesNotContain(secondLog, l => l.Contains(password, StringComparison.Ordinal) || l.Contains("admin account", StringComparison.Ordinal));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM identity_users"));
    }

    [GeneratedRegex(@"Password: (\S+)")]
    private static partial Regex PasswordInLog();

    private sealed class ListLogger(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
