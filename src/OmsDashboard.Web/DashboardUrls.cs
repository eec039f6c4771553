namespace OmsDashboard.Web;

/// <summary>Every route of the dashboard in one place.</summary>
public static class DashboardUrls
{
    public const string Operations = "/";
    public const string Network = "/network";
    public const string Rules = "/rules";
}
