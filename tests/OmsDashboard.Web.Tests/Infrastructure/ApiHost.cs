using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OmsDashboard.Testing;

namespace OmsDashboard.Web.Tests.Infrastructure;

/// <summary>
/// The whole app in memory (<see cref="WebApplicationFactory{TEntryPoint}"/>, Production) on a
/// fresh migrated database: at start-up it imports the two demo feeders itself, as for an operator.
/// One host for the API test classes (collection fixture): each host start migrates and imports.
/// </summary>
public sealed class ApiHost : IAsyncLifetime
{
    private TestDatabase? _database;
    private WebApplicationFactory<Program>? _factory;

    /// <summary>The embedded default key of the test host (every scope); <see cref="Client"/> sends it.</summary>
    public const string ApiKey = "oms-test-key-6b1f0c2e9d4a4f7e8c3b5a2d1e0f9a8b";

    public HttpClient Client { get; private set; } = default!;

    /// <summary>The host's database, for arranging stored signals directly.</summary>
    public TestDatabase Database => _database!;

    /// <summary>The in-memory app, e.g. for a SignalR client over the test server.</summary>
    public WebApplicationFactory<Program> Factory => _factory!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateMigratedAsync("web_api");
        string connectionString = _database.ConnectionString;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("OMS_CONNECTION_STRING", connectionString);
            builder.UseSetting("OMS_INGEST_API_KEY", ApiKey);
        });
        Client = _factory.CreateClient();
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiHost>
{
    public const string Name = "api";
}
