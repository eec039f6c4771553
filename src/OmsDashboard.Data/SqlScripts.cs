namespace OmsDashboard.Data;

/// <summary>
/// SQL that EF Core cannot express (partitioned tables, views, functions), embedded in the
/// assembly and run by migrations. Files are versioned by folder (V0001, …): a migration only
/// ever reads its own folder, so editing a later script never changes an applied migration.
/// </summary>
public static class SqlScripts
{
    public static string Read(string relativePath)
    {
        string name = "OmsDashboard.Data.Sql." + relativePath.Replace('/', '.');
        using var stream = typeof(SqlScripts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded SQL script '{name}' not found");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
