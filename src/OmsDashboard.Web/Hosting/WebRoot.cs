namespace OmsDashboard.Web.Hosting;

/// <summary>
/// The app's web root is the repository's top-level <c>wwwroot/</c> (our css and js, plus the npm
/// libraries copied there at build). A published app carries it as <c>webroot/</c>.
/// </summary>
internal static class WebRoot
{
    public static string Locate()
    {
        string? configured = Environment.GetEnvironmentVariable("OMS_WEB_ROOT");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }
        string published = Path.Combine(AppContext.BaseDirectory, "webroot");
        if (Directory.Exists(published))
        {
            return published;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OmsDashboard.sln")))
            {
                return Path.Combine(dir.FullName, "wwwroot");
            }
        }
        throw new DirectoryNotFoundException("cannot find the web root: set OMS_WEB_ROOT");
    }
}
