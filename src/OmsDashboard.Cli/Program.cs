using System.Diagnostics;
using System.Globalization;
using OmsDashboard.Data;
using OmsDashboard.Data.Import;
using OmsDashboard.Domain.Topology;

// oms — command-line tools. The connection string comes from OMS_CONNECTION_STRING or --connection.
return await Cli.RunAsync(args);

internal static class Cli
{
    private const string Usage = """
        usage: oms <command> [options]

          migrate                              apply database migrations
          import --nodes FILE --assets FILE    import a network (all or nothing, idempotent)
          generate --customers N --out DIR     write a synthetic utility of N customers made by tiling
                   [--from DIR ...]            the real feeders (default: the demo feeders in db/feeders)

          --connection CS                      PostgreSQL connection string (default: $OMS_CONNECTION_STRING)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var options = Options.Parse(args.Skip(1).ToArray());
        try
        {
            return args[0] switch
            {
                "migrate" => await MigrateAsync(options),
                "import" => await ImportAsync(options),
                "generate" => Generate(options),
                _ => Fail($"unknown command '{args[0]}'\n\n{Usage}"),
            };
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or IOException or FormatException)
        {
            Console.Error.WriteLine($"{args[0]} failed: {e.Message}{(e.InnerException is null ? "" : " (" + e.InnerException.Message + ")")}");
            return 1;
        }
    }

    private static async Task<int> MigrateAsync(Options o)
    {
        await using var dataSource = OmsDatabase.CreateDataSource(o.ConnectionString());
        await OmsDatabase.MigrateAsync(dataSource);
        Console.WriteLine("database is up to date");
        return 0;
    }

    private static async Task<int> ImportAsync(Options o)
    {
        string nodes = o.Required("nodes");
        string assets = o.Required("assets");
        await using var dataSource = OmsDatabase.CreateDataSource(o.ConnectionString());
        await OmsDatabase.MigrateAsync(dataSource);
        var result = await new TopologyImporter(dataSource).ImportFilesAsync(nodes, assets);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine(error);
            }
            if (result.TotalErrors > result.Errors.Count)
            {
                Console.Error.WriteLine($"... and {result.TotalErrors - result.Errors.Count} more");
            }
            Console.Error.WriteLine($"import rejected: {result.TotalErrors} error(s); nothing was written");
            return 1;
        }
        Console.WriteLine(string.Join(", ", result.Counts.Select(kv => $"{kv.Key} {kv.Value}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imported in {result.Elapsed.TotalSeconds:F2} s (read and validate {result.ParseTime.TotalSeconds:F2} s): {result.Inserted} inserted, {result.Updated} updated, {result.Deleted} deleted"));
        return 0;
    }

    private static int Generate(Options o)
    {
        int customers = int.Parse(o.Required("customers"), CultureInfo.InvariantCulture);
        string outDir = o.Required("out");
        var from = o.All("from");
        if (from.Count == 0)
        {
            string root = RepoRoot.Find();
            from = [Path.Combine(root, "db", "feeders", "ieee8500"), Path.Combine(root, "db", "feeders", "epri_ckt24")];
        }
        var clock = Stopwatch.StartNew();
        var templates = from.Select(LoadTemplate).ToList();
        Directory.CreateDirectory(outDir);
        using var nodes = new StreamWriter(Path.Combine(outDir, "nodes.csv"), false, new System.Text.UTF8Encoding(false), 1 << 16);
        using var assets = new StreamWriter(Path.Combine(outDir, "assets.csv"), false, new System.Text.UTF8Encoding(false), 1 << 16);
        var (tiles, rows) = SyntheticUtility.Write(templates, customers, nodes, assets);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {rows} nodes and {customers} customers in {tiles} tiles to {outDir} in {clock.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    private static NetworkTopology LoadTemplate(string dir)
    {
        using var nodes = new StreamReader(Path.Combine(dir, "nodes.csv"));
        using var assets = new StreamReader(Path.Combine(dir, "assets.csv"));
        var parsed = TopologyFiles.Parse(nodes, "nodes.csv", assets, "assets.csv");
        return parsed.Network ?? throw new ArgumentException($"{dir}: " + string.Join("; ", parsed.Errors.Take(3)));
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private sealed class Options
    {
        private readonly Dictionary<string, List<string>> _values = [];

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                {
                    throw new ArgumentException($"unexpected argument '{args[i]}' (options are --name value)");
                }
                string name = args[i][2..];
                if (!o._values.TryGetValue(name, out var list))
                {
                    o._values[name] = list = [];
                }
                list.Add(args[++i]);
            }
            return o;
        }

        public string Required(string name) =>
            _values.TryGetValue(name, out var v) ? v[^1] : throw new ArgumentException($"missing --{name}");

        public List<string> All(string name) => _values.TryGetValue(name, out var v) ? v : [];

        public string ConnectionString() =>
            _values.TryGetValue("connection", out var v) ? v[^1]
            : Environment.GetEnvironmentVariable("OMS_CONNECTION_STRING")
              ?? throw new ArgumentException("no database: set OMS_CONNECTION_STRING or pass --connection");
    }
}
