using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using OmsDashboard.Data.Ingestion;
using OmsDashboard.Web.Correlation;

namespace OmsDashboard.Web.Ingestion;

internal static class IngestionExtensions
{
    /// <summary>The ingestion pipeline behind <c>POST /api/oms/events/{source}</c>.</summary>
    public static void AddOmsIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IngestionOptions>, ValidateIngestionOptions>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<CorrelationTrigger>();
        builder.Services.AddSingleton(sp => new SignalStore(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton<IngestionGate>();
        builder.Services.AddSingleton<SignalIngestor>();
        builder.Services.AddSingleton<Realtime.SignalTicker>();
    }
}
