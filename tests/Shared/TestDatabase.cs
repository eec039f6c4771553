using Npgsql;
using OmsDashboard.Data;

namespace OmsDashboard.Testing;

/// <summary>
/// A real PostgreSQL + PostGIS database for one test class or collection: created empty on the
/// server named by <c>OMS_TEST_CONNECTION_STRING</c> (./test.sh starts a throwaway cluster and sets
/// it), migrated with the product's migrations, dropped afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "OMS_TEST_CONNECTION_STRING";

    private TestDatabase(string name, string connectionString, NpgsqlDataSource dataSource)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = dataSource;
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(ServerVariable)
        ?? throw new InvalidOperationException(
            $"{ServerVariable} is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL + PostGIS cluster, " +
            "or point it at a server where the tests may create databases.");

    /// <summary>Creates an empty database (no migrations): for tests of the migrations themselves.</summary>
    public static async Task<TestDatabase> CreateEmptyAsync(string purpose)
    {
        string name = $"oms_test_{purpose}_{Guid.NewGuid():N}".ToLowerInvariant();
        name = name[..Math.Min(name.Length, 63)]; // PostgreSQL's identifier limit
        await using (var admin = new NpgsqlConnection(ServerConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, IncludeErrorDetail = true };
        return new TestDatabase(name, builder.ConnectionString, OmsDatabase.CreateDataSource(builder.ConnectionString));
    }

    /// <summary>Creates a database and applies every migration.</summary>
    public static async Task<TestDatabase> CreateMigratedAsync(string purpose)
    {
        var db = await CreateEmptyAsync(purpose);
        await OmsDatabase.MigrateAsync(db.DataSource);
        return db;
    }

    /// <summary>The first column of the first row, read as <typeparamref name="T"/> (e.g. timestamptz as DateTimeOffset).</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException("no row: " + sql);
        }
        return reader.GetFieldValue<T>(0);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ServerConnectionString);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>Paths inside the repository (the demo feeders live in db/feeders).</summary>
public static class RepoPaths
{
    public static string Root => RepoRoot.Find();

    public static string Feeder(string name, string file) => Path.Combine(Root, "db", "feeders", name, file);
}

/// <summary>Signals stored straight into the source tables, as the ingestion path would leave them.</summary>
public static class StoredSignals
{
    /// <summary>The IEEE 8500 fuse the tests fault: 40 customers, none of them telemetered.</summary>
    public const string IeeeFuse = "FUS:LN5985355-3";

    /// <summary>
    /// SQL common-table expressions <c>up</c> and <c>down</c>: the devices above and below
    /// <see cref="IeeeFuse"/>. A test that wants an outage of its own picks a device in neither.
    /// </summary>
    public const string AboveAndBelowIeeeFuse = $"""
        WITH RECURSIVE up AS (
                SELECT id, parent_device_id FROM network_devices WHERE id = '{IeeeFuse}'
                UNION ALL SELECT d.id, d.parent_device_id FROM network_devices d JOIN up ON d.id = up.parent_device_id),
            down AS (
                SELECT id FROM network_devices WHERE id = '{IeeeFuse}'
                UNION ALL SELECT d.id FROM network_devices d JOIN down ON d.parent_device_id = down.id)
        """;

    /// <summary>
    /// The largest fuse (by transformers, at least 6) that is neither above nor below
    /// <see cref="IeeeFuse"/>: a fault there is an outage of its own.
    /// </summary>
    public static Task<string> FuseApartAsync(this TestDatabase db) => db.ScalarAsync<string>($"""
        {AboveAndBelowIeeeFuse}
        SELECT f.id FROM network_devices f JOIN network_distribution_points p ON p.parent_device_id = f.id
         WHERE f.kind = 'fuse' AND f.id NOT IN (SELECT id FROM up) AND f.id NOT IN (SELECT id FROM down)
         GROUP BY f.id HAVING count(*) >= 6 ORDER BY count(*) DESC, f.id LIMIT 1
        """);

    /// <summary>
    /// The largest fuse of the IEEE feeder with 8 to <paramref name="maxCustomers"/> customers of
    /// its own, neither above nor below <see cref="IeeeFuse"/> (on the other feeder from
    /// <see cref="FuseApartAsync"/>'s choice, which is on EPRI Ckt24).
    /// </summary>
    public static Task<string> SmallIeeeFuseApartAsync(this TestDatabase db, int maxCustomers) => db.ScalarAsync<string>($"""
        {AboveAndBelowIeeeFuse}
        SELECT f.id FROM network_devices f JOIN network_distribution_points p ON p.parent_device_id = f.id
          JOIN oms_customers c ON c.distribution_point_id = p.id
         WHERE f.kind = 'fuse' AND f.id NOT IN (SELECT id FROM up) AND f.id NOT IN (SELECT id FROM down)
           AND f.feeder_id = (SELECT feeder_id FROM network_devices WHERE id = '{IeeeFuse}')
         GROUP BY f.id HAVING count(*) BETWEEN 8 AND {maxCustomers} ORDER BY count(*) DESC, f.id LIMIT 1
        """);

    /// <summary>
    /// Last gasps from three quarters of the meters below <paramref name="device"/> (all customers of
    /// its subtree), occurring at <paramref name="at"/> + 0–2 s and received 40 s later; ids
    /// <c>{prefix}-n</c>. Returns how many were stored.
    /// </summary>
    public static async Task<int> StoreLastGaspsBelowAsync(this TestDatabase db, string device, DateTimeOffset at, string prefix)
    {
        await db.ExecuteAsync($"""
            WITH RECURSIVE below AS (
                SELECT id FROM network_devices WHERE id = '{device}'
                UNION ALL SELECT d.id FROM network_devices d JOIN below b ON d.parent_device_id = b.id),
            meters AS (
                SELECT m.id, row_number() OVER (ORDER BY m.id) AS n
                  FROM oms_smart_meters m JOIN oms_customers c ON c.id = m.customer_id
                  JOIN network_distribution_points p ON p.id = c.distribution_point_id
                 WHERE p.parent_device_id IN (SELECT id FROM below))
            INSERT INTO kaifa_events (event_id, meter_id, event_type, occurred_at, received_at)
            SELECT '{prefix}-' || n, id, 'last_gasp', '{at:O}'::timestamptz + (n % 3) * interval '1 second', '{at:O}'::timestamptz + interval '40 seconds'
              FROM meters WHERE n % 4 <> 0
            """);
        return (int)await db.ScalarAsync<long>($"SELECT count(*) FROM kaifa_events WHERE event_id LIKE '{prefix}-%'");
    }
}
