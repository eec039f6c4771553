namespace OmsDashboard.Web;

/// <summary>Every route of the dashboard in one place.</summary>
public static class DashboardUrls
{
    public const string Operations = "/";
    public const string Network = "/network";
    public const string Rules = "/rules";
    public const string Users = "/admin/users";
    /// <summary>Hangfire's own dashboard (not a Blazor page).</summary>
    public const string Jobs = "/hangfire";
}
