using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OmsDashboard.Data;

/// <summary>Wiring shared by the web host, the CLI and the tests.</summary>
public static class OmsDatabase
{
    /// <summary>Builds the one data source of a process: NetTopologySuite types mapped, dynamic JSON on.</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseNetTopologySuite();
        builder.EnableDynamicJson();
        return builder.Build();
    }

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql =>
            {
                npgsql.UseNetTopologySuite();
                npgsql.MigrationsHistoryTable("__ef_migrations_history");
            })
            .UseSnakeCaseNamingConvention();

    public static DbContextOptions<OmsDbContext> Options(NpgsqlDataSource dataSource)
    {
        var builder = new DbContextOptionsBuilder<OmsDbContext>();
        Configure(builder, dataSource);
        return builder.Options;
    }

    /// <summary>
    /// Applies every pending migration of both contexts: the OMS schema, then users and roles
    /// (<see cref="Identity.OmsIdentityDbContext"/>, own history table). Never EnsureCreated: the
    /// schema has SQL objects EF does not know.
    /// </summary>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using (var db = new OmsDbContext(Options(dataSource)))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        await using (var identity = new Identity.OmsIdentityDbContext(Identity.OmsIdentityDbContext.Options(dataSource)))
        {
            await identity.Database.MigrateAsync(cancellationToken);
        }
        // Types created by the migration (PostGIS geography) must be known to the data source's connections.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ReloadTypesAsync(cancellationToken);
    }
}

/// <summary>Used by <c>dotnet ef</c> only; the connection string is not used to create migrations.</summary>
public sealed class DesignTimeDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<OmsDbContext>
{
    public OmsDbContext CreateDbContext(string[] args)
    {
        var cs = Environment.GetEnvironmentVariable("OMS_CONNECTION_STRING") ?? "Host=127.0.0.1;Port=55432;Username=postgres;Database=omsdashboard";
        return new OmsDbContext(Options(OmsDatabase.CreateDataSource(cs)));
    }

    private static DbContextOptions<OmsDbContext> Options(NpgsqlDataSource ds) => OmsDatabase.Options(ds);
}
