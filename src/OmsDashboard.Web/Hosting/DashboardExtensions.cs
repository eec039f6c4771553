using MudBlazor.Services;

namespace OmsDashboard.Web.Hosting;

internal static class DashboardExtensions
{
    /// <summary>Blazor Server with MudBlazor.</summary>
    public static void AddOmsDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        // Components read the signed-in user (AuthorizeView, the Rules page's audit name).
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddSingleton<OmsDashboard.Data.Rules.RulesStore>();
        builder.Services.AddSingleton<Features.Rules.RulesAnnouncer>();
        builder.Services.AddSingleton(TimeProvider.System);
        // One read of the network's lines serves every operator's outage map for a minute.
        builder.Services.AddSingleton<Features.Operations.FeederLines>();
    }
}
