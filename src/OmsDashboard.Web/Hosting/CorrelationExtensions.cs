using Hangfire;
using Hangfire.PostgreSql;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Correlation;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Hosting;

internal static class CorrelationExtensions
{
    /// <summary>The correlation pass, its runner and safety-net job, and the real-time push.</summary>
    public static void AddOmsCorrelation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CorrelationTrigger>();
        // Engine snapshots (docs/decisions/0013): every EveryMinutes of wall time or EverySignals taken in, keeping Keep.
        var snapshots = builder.Configuration.GetSection("Oms:Snapshots");
        var policy = new SnapshotPolicy(TimeSpan.FromMinutes(snapshots.GetValue("EveryMinutes", SnapshotPolicy.Default.Every.TotalMinutes)),
            snapshots.GetValue("EverySignals", SnapshotPolicy.Default.AfterSignals), snapshots.GetValue("Keep", SnapshotPolicy.Default.Keep));
        policy.Validate();
        builder.Services.AddSingleton(sp => new CorrelationPass(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>())
        {
            Snapshots = policy,
            Logger = sp.GetRequiredService<ILogger<CorrelationPass>>(),
        });
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection("Oms:Retention"));
        builder.Services.AddSingleton<SignalRetention>();
        builder.Services.AddTransient<RetentionJob>();
        builder.Services.AddSingleton<OutageQueries>();
        builder.Services.AddSingleton<OutageNotifier>();
        builder.Services.AddSingleton<OutageBroadcaster>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutageBroadcaster>());
        builder.Services.AddSingleton<MeterPingRequests>();
        builder.Services.AddSingleton<CorrelationRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CorrelationRunner>());
        builder.Services.AddSingleton<IPassRunner>(sp => sp.GetRequiredService<CorrelationRunner>());
        builder.Services.AddSingleton<OutageActionService>();
        builder.Services.AddTransient<CorrelationJob>();
        builder.Services.AddSignalR();
        if (Demo.DemoFeed.IsEnabled(builder.Configuration))
        {
            builder.Services.AddHttpClient("demo");
            builder.Services.AddHostedService<Demo.DemoFeed>();
        }
    }

    /// <summary>
    /// Hangfire on PostgreSQL (schema <c>hangfire</c> in the OMS database): LISTEN/NOTIFY long
    /// polling with a short poll interval as the fallback (the listener does not reconnect by
    /// itself after a dropped connection).
    /// </summary>
    public static void AddOmsJobs(this IHostApplicationBuilder builder)
    {
        string connectionString = DatabaseExtensions.ConnectionString(builder.Configuration);
        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                QueuePollInterval = TimeSpan.FromSeconds(2),
                EnableLongPolling = true,
                PrepareSchemaIfNecessary = true,
            }));
        builder.Services.AddHangfireServer(o =>
        {
            o.WorkerCount = 2;
            o.ServerName = $"oms-{Environment.MachineName}-{Environment.ProcessId}";
        });
    }

    public static void MapOmsRealtime(this WebApplication app)
    {
        app.MapHub<OutagesHub>(OutagesHub.Path).RequireAuthorization(Security.OmsPolicies.Read);
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new HangfireDashboardAuthorization()],
            DashboardTitle = "OmsDashboard jobs",
        });
        var retention = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RetentionOptions>>().Value;
        retention.Validate();
        RecurringJobs.Register(app.Services.GetRequiredService<IRecurringJobManager>(),
            app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Polling.PollingOptions>>().Value, retention);
    }
}

/// <summary>Every recurring job, in one place, with constant ids.</summary>
public static class RecurringJobs
{
    public const string CorrelationSafetyNet = "correlation-safety-net";
    public const string SignalRetention = "signal-retention";

    /// <summary>The recurring job of the polling source <paramref name="name"/> (one per configured source).</summary>
    public static string PollerId(string name) => "poll-" + name;

    public static void Register(IRecurringJobManager jobs, Polling.PollingOptions polling, RetentionOptions retention)
    {
        // Ingestion asks for a pass after every batch; this one covers quiet times (aging,
        // storm-mode deactivation, signals stored by other means) once a minute.
        jobs.AddOrUpdate<CorrelationJob>(CorrelationSafetyNet, j => j.RunAsync(CancellationToken.None), Cron.Minutely());

        // Raw signals past the horizon that no kept engine snapshot needs (docs/decisions/0013).
        jobs.AddOrUpdate<RetentionJob>(SignalRetention, j => j.RunAsync(CancellationToken.None), retention.Cron);

        // Sources that do not push, each at its own interval (docs/decisions/0009). None
        // configured, none registered; a job left from a removed source removes itself on its next run.
        foreach (var source in polling.Sources)
        {
            string name = source.Name;
            jobs.AddOrUpdate<Polling.SourcePollingJob>(PollerId(name), j => j.RunAsync(name, CancellationToken.None), source.Cron()!);
        }
    }
}
