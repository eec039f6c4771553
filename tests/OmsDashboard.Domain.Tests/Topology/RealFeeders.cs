using System.Collections.Concurrent;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Topology;

/// <summary>
/// The two real demo feeders in <c>db/feeders</c>, parsed once per test run: they are immutable
/// and parsing Ckt24 costs a few tens of milliseconds, so every test class shares them.
/// </summary>
internal static class RealFeeders
{
    public const string Ieee8500 = "ieee8500";
    public const string Ckt24 = "epri_ckt24";

    private static readonly ConcurrentDictionary<string, Lazy<NetworkTopology>> Cache = new(StringComparer.Ordinal);

    private static readonly Lazy<string> RepoRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "db", "feeders")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("cannot find db/feeders above " + AppContext.BaseDirectory);
    });

    public static string FilePath(string feeder, string file) => Path.Combine(RepoRoot.Value, "db", "feeders", feeder, file);

    public static string ReadText(string feeder, string file) => File.ReadAllText(FilePath(feeder, file));

    /// <summary>The parsed feeder; fails the calling test with the parser's errors if it does not parse.</summary>
    public static NetworkTopology Load(string feeder) =>
        Cache.GetOrAdd(feeder, f => new Lazy<NetworkTopology>(() =>
        {
            var result = Parse(ReadText(f, "nodes.csv"), ReadText(f, "assets.csv"));
            return result.Network ?? throw new InvalidOperationException(
                $"{f} does not parse: " + string.Join("; ", result.Errors));
        })).Value;

    public static TopologyParseResult Parse(string nodes, string assets) =>
        TopologyFiles.Parse(new StringReader(nodes), "nodes.csv", new StringReader(assets), "assets.csv");

    /// <summary>All records of a CSV text, header included, read with the domain's reader.</summary>
    public static List<(int Line, string[] Fields)> ReadRecords(string text)
    {
        var csv = new CsvReader(new StringReader(text));
        var fields = new List<string>();
        var records = new List<(int, string[])>();
        while (csv.TryRead(fields, out int line, out string? error))
        {
            if (error is not null)
            {
                throw new InvalidDataException($"line {line}: {error}");
            }
            records.Add((line, [.. fields]));
        }
        return records;
    }
}
