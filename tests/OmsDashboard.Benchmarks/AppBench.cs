using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Npgsql;
using OmsDashboard.Data;
using OmsDashboard.Data.Import;
using OmsDashboard.Domain.Topology;
using OmsDashboard.Testing;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// What <c>ingest</c> and <c>push</c> share: a synthetic utility imported once into a template
/// database, and the real app started as its own process (the Release build copied next to the
/// harness) on a fresh copy of it.
/// </summary>
internal sealed class AppBench : IAsyncDisposable
{
    public const string ApiKey = "oms-bench-key-6a0f3e9b2c7d41e8b5a9c0d2e4f61738";

    private AppBench(BenchServer server, Utility utility, NetworkTopology network, string template)
    {
        Server = server;
        Utility = utility;
        Network = network;
        Template = template;
    }

    public BenchServer Server { get; }
    public Utility Utility { get; }
    public NetworkTopology Network { get; }
    /// <summary>Migrated, the utility imported and analysed, no signals.</summary>
    public string Template { get; }

    public static async Task<AppBench> CreateAsync(Options o, Report report, int defaultCustomers)
    {
        int customers = o.Int("customers", defaultCustomers);
        var server = new BenchServer(o.Connection());
        report.Line("server: " + await server.DescribeAsync());
        var utility = Utility.Generate(customers);
        var network = utility.Parse();
        report.Line($"utility: {customers:N0} customers, {network.Count:N0} nodes, {network.OfKind(NodeKind.Feeder).Count()} feeders");
        string template = await server.CreateMigratedAsync("appnet");
        await using (var ds = OmsDatabase.CreateDataSource(server.ConnectionString(template)))
        {
            var clock = Stopwatch.StartNew();
            var result = await new TopologyImporter(ds).ImportFilesAsync(utility.NodesPath, utility.AssetsPath);
            if (!result.Succeeded) throw new InvalidOperationException("import failed: " + string.Join("; ", result.Errors.Take(5)));
            report.Line($"setup: utility imported in {clock.Elapsed.TotalSeconds:F1} s ({result.Inserted:N0} rows; load {Machine.Load()})");
            await using var cmd = ds.CreateCommand("VACUUM ANALYZE");
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync();
        }
        return new AppBench(server, utility, network, template);
    }

    /// <summary>A fresh copy of the template and the app started on it (Release build, Production, no demo feed).</summary>
    public async Task<(string Database, AppProcess App)> StartAppAsync(string purpose, IReadOnlyDictionary<string, string>? settings = null)
    {
        string db = await Server.CloneAsync(Template, purpose);
        var env = new Dictionary<string, string>
        {
            ["Oms__ImportDemoNetwork"] = "false",
            // Per-request logs would cost the app more than the requests; warnings still show.
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) env[k] = v;
        var app = await AppProcess.StartAsync(Server.ConnectionString(db), ApiKey, environment: env);
        return (db, app);
    }

    public static HttpClient Client(Uri baseAddress, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    /// <summary>
    /// Posts one batch until it is answered with something other than <c>429</c>, waiting the
    /// answer's <c>Retry-After</c> between tries (as the contract asks a source system to).
    /// Returns the final answer's status, the time of the successful try alone, the number of 429s.
    /// </summary>
    public static async Task<(HttpStatusCode Status, TimeSpan Latency, int Refusals, DateTimeOffset AnsweredAt, string Body)> PostAsync(
        HttpClient client, ContractBatch batch, CancellationToken ct = default)
    {
        int refusals = 0;
        while (true)
        {
            using var content = new ByteArrayContent(batch.Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            long start = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync(batch.Path, content, ct);
            string body = await response.Content.ReadAsStringAsync(ct);
            var latency = Stopwatch.GetElapsedTime(start);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refusals++;
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                await Task.Delay(wait, ct);
                continue;
            }
            return (response.StatusCode, latency, refusals, DateTimeOffset.UtcNow, body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Utility.Dispose();
        await Server.DisposeAsync();
    }
}

internal static class Percentiles
{
    /// <summary>Nearest-rank percentile of <paramref name="sorted"/> (ascending), <paramref name="p"/> in 0..100.</summary>
    public static double Of(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        int rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

internal static class Db
{
    public static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Where the database's time goes: <c>pg_stat_statements</c> of one database, when the server
/// preloads it (the harness's own cluster does; the shared server does not, and then this says so).
/// </summary>
internal static class Statements
{
    public static async Task ResetAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (PostgresException)
        {
            // Not preloaded on this server: TopAsync reports that.
        }
    }

    /// <summary>The <paramref name="count"/> statements of this database with the most execution time.</summary>
    public static async Task<List<string>> TopAsync(string connectionString, int count)
    {
        var lines = new List<string>();
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"""
                SELECT round(total_exec_time)::bigint, calls, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
                  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                 ORDER BY total_exec_time DESC LIMIT {count}
                """, connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add($"{reader.GetInt64(0),8:N0} ms {reader.GetInt64(1),6:N0} calls {reader.GetInt64(2),9:N0} rows  {reader.GetString(3)}");
            }
        }
        catch (PostgresException e)
        {
            lines.Add("not available: " + e.MessageText);
        }
        return lines;
    }
}

/// <summary>
/// CPU time used by a local PostgreSQL cluster (Linux /proc): the postmaster, its live children
/// and the children it has reaped (cutime/cstime). On a shared, overloaded machine wall time says
/// more about the neighbours than about us; CPU seconds per signal do not.
/// </summary>
internal sealed class ClusterCpu(int postmaster)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>From <c>--pg-data DIR</c> (the cluster's data folder), or null when not given or not readable.</summary>
    public static ClusterCpu? From(Options o)
    {
        string dir = o.Text("pg-data", "");
        if (dir.Length == 0) return null;
        try
        {
            return new ClusterCpu(int.Parse(File.ReadLines(Path.Combine(dir, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            Console.Error.WriteLine($"--pg-data {dir}: {e.Message}; server CPU not measured");
            return null;
        }
    }

    public TimeSpan Now()
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            var f = Stat(pid);
            if (f is null) continue;
            if (pid == postmaster) ticks += f[13] + f[14] + f[15] + f[16]; // utime stime cutime cstime
            else if (f[3] == postmaster) ticks += f[13] + f[14] + f[15] + f[16];
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The fields of /proc/PID/stat as numbers (index as in proc(5) minus one; the name field is 0).</summary>
    internal static long[]? Stat(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid}/stat");
            int close = text.LastIndexOf(')');
            var rest = text[(close + 2)..].Split(' ');
            var fields = new long[rest.Length + 2];
            for (int i = 1; i < rest.Length; i++) // rest[0] is the state letter (field 3)
            {
                long.TryParse(rest[i], System.Globalization.CultureInfo.InvariantCulture, out fields[i + 2]);
            }
            return fields;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
