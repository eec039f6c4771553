using Microsoft.EntityFrameworkCore;
using Npgsql;
using OmsDashboard.Data;
using OmsDashboard.Data.Import;
using OmsDashboard.Data.Queries;

namespace OmsDashboard.Web.Hosting;

internal static class DatabaseExtensions
{
    /// <summary>
    /// One <see cref="NpgsqlDataSource"/> for the process (raw SQL and bulk paths) and a
    /// DbContext factory on top of it (one short-lived context per operation, as Blazor Server needs).
    /// </summary>
    public static void AddOmsDatabase(this IHostApplicationBuilder builder)
    {
        string connectionString = ConnectionString(builder.Configuration);
        builder.Services.AddSingleton(_ => OmsDatabase.CreateDataSource(connectionString));
        builder.Services.AddDbContextFactory<OmsDbContext>((sp, options) =>
            OmsDatabase.Configure(options, sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton<TopologyQueries>();
        builder.Services.AddSingleton<OutageDetailQueries>();
        builder.Services.AddSingleton<TopologyImporter>();
        builder.Services.AddOptions<OmsOptions>().BindConfiguration(OmsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
    }

    public static string ConnectionString(IConfiguration configuration) =>
        configuration["OMS_CONNECTION_STRING"]
        ?? configuration.GetConnectionString("Oms")
        ?? throw new InvalidOperationException(
            "No database configured: set OMS_CONNECTION_STRING (./run.sh does this for the embedded cluster) or ConnectionStrings:Oms.");

    /// <summary>Migrates the database and, on first run, imports the demo network.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OmsDashboard.Startup");
        await OmsDatabase.MigrateAsync(dataSource);

        var options = app.Configuration.GetSection(OmsOptions.Section).Get<OmsOptions>() ?? new OmsOptions();
        if (!options.ImportDemoNetwork)
        {
            return;
        }
        await using var factoryContext = await app.Services.GetRequiredService<IDbContextFactory<OmsDbContext>>().CreateDbContextAsync();
        if (await factoryContext.Substations.AnyAsync())
        {
            return;
        }
        var importer = app.Services.GetRequiredService<TopologyImporter>();
        string feeders = Path.Combine(RepoRoot.Find(), "db", "feeders");
        foreach (var dir in Directory.GetDirectories(feeders).Order(StringComparer.Ordinal))
        {
            var result = await importer.ImportFilesAsync(Path.Combine(dir, "nodes.csv"), Path.Combine(dir, "assets.csv"));
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"demo network {dir} failed to import: " + string.Join("; ", result.Errors.Take(5)));
            }
            logger.LogInformation("Imported demo feeder {Feeder}: {Inserted} rows in {Seconds:F2} s",
                Path.GetFileName(dir), result.Inserted, result.Elapsed.TotalSeconds);
        }
    }
}
