using MudBlazor.Services;

namespace OmsDashboard.Web.Hosting;

internal static class DashboardExtensions
{
    /// <summary>Blazor Server with MudBlazor.</summary>
    public static void AddOmsDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton(TimeProvider.System);
    }
}
