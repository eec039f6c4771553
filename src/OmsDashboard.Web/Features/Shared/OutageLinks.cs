namespace OmsDashboard.Web.Features.Shared;

/// <summary>
/// Where an outage's own page lives (<c>/outages/{id}</c>; the page itself comes later). Belongs
/// with the other routes in <see cref="DashboardUrls"/> once that page lands.
/// </summary>
public static class OutageLinks
{
    public const string DetailTemplate = "/outages/{id}";

    public static string Detail(Guid id) => "/outages/" + id.ToString("D");
}
