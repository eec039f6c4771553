namespace OmsDashboard.Web;

/// <summary>Every route of the dashboard in one place.</summary>
public static class DashboardUrls
{
    public const string Operations = "/";
    public const string Network = "/network";

    /// <summary>One outage's page, by id (or event id); links are made by <see cref="Features.Shared.OutageLinks"/>.</summary>
    public const string OutageDetail = "/outages/{id}";
    public const string Rules = "/rules";
    public const string Users = "/admin/users";
    /// <summary>Hangfire's own dashboard (not a Blazor page).</summary>
    public const string Jobs = "/hangfire";
}
