using System.Text;
using Hangfire;
using Hangfire.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OmsDashboard.Testing;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Tests.Ingestion;

/// <summary>
/// The app in memory (Production) on a fresh migrated database without a network, with three
/// keys: the embedded default (<see cref="AllScopesKey"/>, from <c>OMS_INGEST_API_KEY</c>) and two
/// from <c>Oms:ApiKeys</c> (<see cref="ReadKey"/>: read only; <see cref="KaifaKey"/>: ingest, Kaifa only).
/// The host runs none of the app's background work: the correlation runner would take the
/// <see cref="Correlation.CorrelationTrigger"/>'s requests the tests read, and Hangfire keeps
/// process-wide state that other hosts of this assembly share.
/// </summary>
public sealed class IngestionHost : IAsyncLifetime
{
    public const string AllScopesKey = "ingest-test-all-2f6c1d9e8b7a4c3d9e0f1a2b3c4d5e6f";
    public const string ReadKey = "ingest-test-read-7d3e2a1b0c9f4e8d8a7b6c5d4e3f2a1b";
    public const string KaifaKey = "ingest-test-kaifa-4a5b6c7d8e9f40a1b2c3d4e5f6a7b8c9";

    private TestDatabase? _database;
    private WebApplicationFactory<Program>? _factory;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("not initialised");

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("not initialised");

    public IServiceProvider Services => Factory.Services;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateMigratedAsync("web_ingest");
        _factory = Create(_database, _ => { });
        _ = _factory.Server; // start it
    }

    /// <summary>A host of the app on <paramref name="database"/> with the test keys, plus <paramref name="configure"/>.</summary>
    public static WebApplicationFactory<Program> Create(TestDatabase database, Action<IWebHostBuilder> configure) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("OMS_CONNECTION_STRING", database.ConnectionString);
            builder.UseSetting(ApiKeyOptions.EmbeddedKeyVariable, AllScopesKey);
            builder.UseSetting("Oms:ImportDemoNetwork", "false");
            builder.UseSetting("Oms:ApiKeys:0:Name", "test-reader");
            builder.UseSetting("Oms:ApiKeys:0:Key", ReadKey);
            builder.UseSetting("Oms:ApiKeys:0:Scopes:0", "read");
            builder.UseSetting("Oms:ApiKeys:1:Name", "test-kaifa-gateway");
            builder.UseSetting("Oms:ApiKeys:1:Key", KaifaKey);
            builder.UseSetting("Oms:ApiKeys:1:Scopes:0", "ingest");
            builder.UseSetting("Oms:ApiKeys:1:Sources:0", "kaifa");
            builder.ConfigureTestServices(WithoutBackgroundWork);
            configure(builder);
        });

    /// <summary>
    /// Removes the app's background services (registered through factories: the correlation
    /// runner, the broadcaster, the Hangfire server) and Hangfire's recurring-job registration;
    /// keeps the web server and the start-up key provisioning (registered by type).
    /// </summary>
    private static void WithoutBackgroundWork(IServiceCollection services)
    {
        foreach (var d in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType is null).ToList())
        {
            services.Remove(d);
        }
        services.AddSingleton<IRecurringJobManager, NoRecurringJobs>();
    }

    public HttpClient Client(string? apiKey)
    {
        var client = Factory.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add(ApiKeyDefaults.Header, apiKey);
        }
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private sealed class NoRecurringJobs : IRecurringJobManager
    {
        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options) { }

        public void Trigger(string recurringJobId) { }

        public void RemoveIfExists(string recurringJobId) { }
    }
}

[CollectionDefinition(Name)]
public sealed class IngestionCollection : ICollectionFixture<IngestionHost>
{
    public const string Name = "ingestion";
}

/// <summary>Request helpers of the ingestion tests.</summary>
internal static class Batches
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient client, string source, string json) =>
        await client.PostAsync($"/api/oms/events/{source}", Json(json));

    public static async Task<IngestResult> ReadResultAsync(this HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<IngestResult>(body, System.Text.Json.JsonSerializerOptions.Web)!;
    }

    public static string Gasps(string prefix, int count, int from = 1) =>
        "[" + string.Join(",", Enumerable.Range(from, count).Select(n =>
            $$"""{"eventId":"{{prefix}}{{n}}","meterId":"KFM{{n}}","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z","receivedAt":"2026-11-27T13:00:41Z"}""")) + "]";
}

internal sealed record IngestResult(int Accepted, int Duplicates, List<RejectedResult> Rejected);

internal sealed record RejectedResult(int Index, string? Id, List<string> Errors);
