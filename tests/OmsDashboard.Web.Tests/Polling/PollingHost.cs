using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OmsDashboard.Data.Polling;
using OmsDashboard.Testing;
using OmsDashboard.Web.Polling;
using OmsDashboard.Web.Tests.Ingestion;

namespace OmsDashboard.Web.Tests.Polling;

/// <summary>
/// The app in memory on a fresh OMS database (no background work, as <see cref="IngestionHost"/>),
/// configured with pollers of a <see cref="FakeFeed"/> on a real Kestrel server and of a call
/// center's <c>callcenter_tickets</c> table in another database. Tests run a poller by calling
/// <see cref="SourcePoller.RunAsync"/> (the recurring job's body) and read the results from the
/// database and the health endpoint. Each test uses its own pollers and id prefixes.
/// </summary>
public sealed class PollingHost : IAsyncLifetime
{
    public const string CallsTable = "calls-table";
    public const string CallsQuery = "calls-query";

    private TestDatabase? _database;
    private TestDatabase? _callCenter;
    private WebApplicationFactory<Program>? _factory;

    public TestDatabase Database => _database!;

    /// <summary>The call center's own database (not an OMS one: no migrations).</summary>
    public TestDatabase CallCenter => _callCenter!;

    public FakeFeed Feed { get; } = new();

    public CrashingPollerStore Store { get; private set; } = default!;

    public WebApplicationFactory<Program> Factory => _factory!;

    /// <summary>The HTTP pollers: name → feed name, and per-poller settings beyond the defaults.</summary>
    private static readonly (string Name, string Feed, int BatchSize, string? Timeout)[] HttpPollers =
    [
        ("kaifa-paged", "paged", 10, null),
        ("kaifa-mixed", "mixed", 100, null),
        ("kaifa-flaky", "flaky", 100, null),
        ("kaifa-down", "down", 100, null),
        ("kaifa-denied", "denied", 100, null),
        ("kaifa-slow", "slow", 100, "00:00:00.3"),
        ("kaifa-crash", "crash", 100, null),
    ];

    public const int MaxAttempts = 3;

    public async Task InitializeAsync()
    {
        await Feed.StartAsync();
        _database = await TestDatabase.CreateMigratedAsync("web_polling");
        _callCenter = await TestDatabase.CreateEmptyAsync("callcenter_src");
        // What a call center's ticketing system might keep: its own names, an update time, a row key.
        await _callCenter.ExecuteAsync("""
            CREATE TABLE callcenter_tickets (
                ticket_no      text PRIMARY KEY,
                account_no     text,
                caller_phone   text,
                street_address text,
                latitude       double precision,
                longitude      double precision,
                problem_code   text NOT NULL,
                remarks        text,
                created_at     timestamptz NOT NULL,
                updated_at     timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX ON callcenter_tickets (updated_at, ticket_no);
            CREATE TABLE callcenter_tickets_b (LIKE callcenter_tickets INCLUDING ALL);
            """);
        Store = new CrashingPollerStore(_database.DataSource);
        _factory = IngestionHost.Create(_database, builder =>
        {
            builder.UseSetting("Oms:Polling:MaxAttempts", MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Oms:Polling:RetryBaseDelay", "00:00:00.01");
            builder.UseSetting("Oms:Polling:RetryMaxDelay", "00:00:00.05");
            int i = 0;
            foreach (var (name, feed, batch, timeout) in HttpPollers)
            {
                string at = $"Oms:Polling:Sources:{i++}:";
                builder.UseSetting(at + "Name", name);
                builder.UseSetting(at + "Source", "kaifa");
                builder.UseSetting(at + "Kind", "http");
                builder.UseSetting(at + "Url", Feed.Url(feed));
                builder.UseSetting(at + "BatchSize", batch.ToString(System.Globalization.CultureInfo.InvariantCulture));
                builder.UseSetting(at + "Headers:X-Feed-Key", "feed-secret");
                if (timeout is not null) builder.UseSetting(at + "Timeout", timeout);
            }
            string t = $"Oms:Polling:Sources:{i}:";
            builder.UseSetting(t + "Name", CallsTable);
            builder.UseSetting(t + "Source", "callcenter");
            builder.UseSetting(t + "Kind", "postgres");
            builder.UseSetting(t + "ConnectionString", _callCenter.ConnectionString);
            builder.UseSetting(t + "Table", "callcenter_tickets");
            builder.UseSetting(t + "CursorColumn", "updated_at");
            builder.UseSetting(t + "KeyColumn", "ticket_no");
            builder.UseSetting(t + "BatchSize", "2");
            builder.UseSetting(t + "Columns:ticketId", "ticket_no");
            builder.UseSetting(t + "Columns:accountNumber", "account_no");
            builder.UseSetting(t + "Columns:category", "problem_code");
            builder.UseSetting(t + "Columns:reportedAt", "created_at");
            builder.UseSetting(t + "Columns:lat", "latitude");
            builder.UseSetting(t + "Columns:lon", "longitude");
            builder.UseSetting(t + "Columns:address", "street_address");
            builder.UseSetting(t + "Columns:callerPhone", "caller_phone");
            builder.UseSetting(t + "Columns:notes", "remarks");
            string q = $"Oms:Polling:Sources:{i + 1}:";
            builder.UseSetting(q + "Name", CallsQuery);
            builder.UseSetting(q + "Source", "callcenter");
            builder.UseSetting(q + "Kind", "postgres");
            builder.UseSetting(q + "ConnectionString", _callCenter.ConnectionString);
            // Columns named as the contract's snake_case fields: no mapping needed but for the optional ones.
            builder.UseSetting(q + "Query", """
                SELECT ticket_no AS ticket_id, problem_code AS category, created_at AS reported_at, account_no, latitude, longitude, updated_at
                  FROM callcenter_tickets_b
                """);
            builder.UseSetting(q + "CursorColumn", "updated_at");
            builder.UseSetting(q + "Columns:accountNumber", "account_no");
            builder.UseSetting(q + "Columns:lat", "latitude");
            builder.UseSetting(q + "Columns:lon", "longitude");
            builder.ConfigureTestServices(services => services.AddSingleton<SourcePollerStore>(Store));
        });
        _ = _factory.Server;
    }

    /// <summary>One run of a poller, as its recurring job runs it.</summary>
    public async Task<PollRunResult> RunAsync(string name)
    {
        using var scope = Factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<SourcePoller>().RunAsync(name, CancellationToken.None);
    }

    public async Task<long> CountAsync(string table, string idColumn, string prefix) =>
        await Database.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE {idColumn} LIKE '{prefix}%'");

    public async Task<string?> CursorAsync(string poller)
    {
        await using var cmd = Database.DataSource.CreateCommand("SELECT cursor FROM oms_source_pollers WHERE name = @n");
        cmd.Parameters.AddWithValue("n", poller);
        return await cmd.ExecuteScalarAsync() as string;
    }

    /// <summary>GET /api/oms/sources/health with the read-only key: the poller's entry.</summary>
    public async Task<JsonElement> PollerHealthAsync(string poller)
    {
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", IngestionHost.ReadKey);
        var health = await client.GetFromJsonAsync<JsonElement>("/api/oms/sources/health");
        return health.GetProperty("pollers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == poller);
    }

    public static string Gasp(string id, DateTimeOffset at, string type = "last_gasp") =>
        $$"""{"eventId":"{{id}}","meterId":"KFM{{id}}","eventType":"{{type}}","occurredAt":"{{at:O}}"}""";

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        if (_callCenter is not null) await _callCenter.DisposeAsync();
        await Feed.DisposeAsync();
    }
}

/// <summary>The product's store, which can be told to fail the next cursor update of a poller: a crash between store and cursor.</summary>
public sealed class CrashingPollerStore(NpgsqlDataSource dataSource) : SourcePollerStore(dataSource)
{
    private string? _crashNext;

    public void CrashNextAdvanceOf(string poller) => _crashNext = poller;

    public override Task AdvanceAsync(string name, PageProgress page, DateTimeOffset at, CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _crashNext, null, name) == name)
        {
            throw new IOException($"simulated crash of poller {name} after its records were stored, before its cursor moved");
        }
        return base.AdvanceAsync(name, page, at, ct);
    }
}

[CollectionDefinition(Name)]
public sealed class PollingCollection : ICollectionFixture<PollingHost>
{
    public const string Name = "polling";
}
