using Scalar.AspNetCore;
using OmsDashboard.Web.Api;
using OmsDashboard.Web.Components;
using OmsDashboard.Web.Hosting;
using OmsDashboard.Web.Ingestion;
using OmsDashboard.Web.Polling;
using OmsDashboard.Web.Security;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    WebRootPath = WebRoot.Locate(),
});

// Framework and package assets (blazor.web.js, MudBlazor) are served from the build output's
// manifest in every environment, not only Development; a published app has them in place.
builder.WebHost.UseStaticWebAssets();

builder.AddOmsDatabase();
builder.AddOmsDashboard();
builder.AddOmsCorrelation();
builder.AddOmsJobs();
builder.AddOmsSecurity();
builder.AddOmsIngestion();
builder.AddOmsPolling();
builder.Services.AddOpenApi();
builder.Services.AddProblemDetails();

var app = builder.Build();

await app.PrepareDatabaseAsync();

// Unhandled errors become ProblemDetails (500) with a trace id, never a stack trace or an HTML page.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.UseStaticFiles();
app.MapOpenApi();
// A browsable API reference at /scalar/v1, from the OpenAPI document.
app.MapScalarApiReference(o => o.WithTitle("OmsDashboard API"));
app.MapHealth();
app.MapTopologyApi();
app.MapOutagesApi();
app.MapOutageActionsApi();
app.MapIngestionApi();
app.MapSourcesApi();
app.MapOmsRealtime();
app.MapAccountEndpoints();
OmsDashboard.Web.Features.Operations.FeederLines.Map(app);
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();

/// <summary>Entry point, visible to the tests' web application factory.</summary>
public partial class Program;
