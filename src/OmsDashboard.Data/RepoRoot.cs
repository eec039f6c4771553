namespace OmsDashboard.Data;

/// <summary>Finds the repository (or published app) root: the folder holding <c>db/feeders</c>.</summary>
public static class RepoRoot
{
    public static string Find(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "db", "feeders")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("cannot find the db/feeders folder above " + (start ?? AppContext.BaseDirectory));
    }
}
