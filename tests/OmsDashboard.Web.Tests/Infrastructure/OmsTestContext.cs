using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Npgsql;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Hosting;

namespace OmsDashboard.Web.Tests.Infrastructure;

/// <summary>
/// The bUnit context of this project: MudBlazor's services, the dashboard's queries on a real
/// database, loose JS interop (MudBlazor calls JS we do not care about) and a wait timeout long
/// enough for a query on a 2-core CI machine.
/// </summary>
public sealed class OmsTestContext : BunitContext
{
    public OmsTestContext(NpgsqlDataSource dataSource, OmsOptions? options = null)
    {
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddLogging();
        Services.AddSingleton(new TopologyQueries(dataSource));
        Services.AddSingleton(Options.Create(options ?? new OmsOptions()));
        // The Operations page's signal ticker (Realtime/SignalTicker.cs), fed by tests that need it.
        Services.AddSingleton(new OmsDashboard.Web.Realtime.SignalTicker(TimeProvider.System));
        // Pages hold AuthorizeViews (actions by role): bUnit's authorization, signed out until a test signs in.
        Auth = this.AddAuthorization();
    }

    /// <summary>Who is signed in and which policies they pass (set before the first render).</summary>
    public BunitAuthorizationContext Auth { get; }
}
