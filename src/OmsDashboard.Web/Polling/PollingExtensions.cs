using Microsoft.Extensions.Options;
using Npgsql;
using OmsDashboard.Data.Polling;

namespace OmsDashboard.Web.Polling;

internal static class PollingExtensions
{
    /// <summary>Pollers of the sources that do not push (<c>Oms:Polling</c>) and the source-health query.</summary>
    public static void AddOmsPolling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PollingOptions>().BindConfiguration(PollingOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PollingOptions>, ValidatePollingOptions>();
        builder.Services.AddSingleton(sp => new SourcePollerStore(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton(sp => new SourceHealthQueries(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton<SourceHealthService>();
        // Per-source timeouts are applied per request; the client's own would cut them short.
        builder.Services.AddHttpClient<HttpFeedClient>(c => c.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton<TableFeedReader>();
        // Transient like the typed client it uses, so the client's handler is recycled.
        builder.Services.AddTransient<SourcePoller>();
        builder.Services.AddTransient<SourcePollingJob>();
    }
}
