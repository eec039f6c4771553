using Npgsql;
using OmsDashboard.Data.Import;
using OmsDashboard.Testing;

namespace OmsDashboard.Web.Tests.Infrastructure;

/// <summary>A migrated database with both demo feeders imported (IEEE 8500 and EPRI Ckt24), one per test class.</summary>
public sealed class DemoNetworkDatabase : IAsyncLifetime
{
    private TestDatabase? _database;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("not initialised");

    public NpgsqlDataSource DataSource => Database.DataSource;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateMigratedAsync("web_demo");
        await ImportDemoFeedersAsync(_database);
    }

    public static async Task ImportDemoFeedersAsync(TestDatabase database)
    {
        var importer = new TopologyImporter(database.DataSource);
        foreach (string feeder in new[] { "ieee8500", "epri_ckt24" })
        {
            var result = await importer.ImportFilesAsync(RepoPaths.Feeder(feeder, "nodes.csv"), RepoPaths.Feeder(feeder, "assets.csv"));
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"demo feeder {feeder} failed to import: " + string.Join("; ", result.Errors.Take(5)));
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

/// <summary>A migrated database with no network in it.</summary>
public sealed class EmptyNetworkDatabase : IAsyncLifetime
{
    private TestDatabase? _database;

    public NpgsqlDataSource DataSource => (_database ?? throw new InvalidOperationException("not initialised")).DataSource;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateMigratedAsync("web_empty");

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
