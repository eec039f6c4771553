namespace OmsDashboard.Web.Features.Shared;

/// <summary>Where an outage's own page lives (<see cref="DashboardUrls.OutageDetail"/>, Features/Outages).</summary>
public static class OutageLinks
{
    public const string DetailTemplate = DashboardUrls.OutageDetail;

    public static string Detail(Guid id) => "/outages/" + id.ToString("D");
}
