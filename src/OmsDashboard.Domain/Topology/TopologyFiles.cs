using System.Globalization;

namespace OmsDashboard.Domain.Topology;

/// <summary>
/// Reads and validates the two topology files of the external contract (<c>nodes.csv</c>,
/// <c>assets.csv</c>). Every problem is collected with its file and line; a network is only
/// produced when there is none, so an import is all-or-nothing by construction.
/// </summary>
public static class TopologyFiles
{
    public static readonly string[] NodeColumns = ["id", "kind", "parent_id", "lat", "lon", "phase", "name"];
    public static readonly string[] AssetColumns = ["customer_id", "account_number", "meter_id", "onu_id"];

    /// <summary>How many errors are reported before the rest are only counted.</summary>
    public const int MaxReportedErrors = 200;

    public static TopologyParseResult Parse(TextReader nodes, string nodesFile, TextReader assets, string assetsFile)
    {
        var errors = new ErrorList();
        var nodeRecords = ReadNodes(nodes, nodesFile, errors);
        var assetRecords = ReadAssets(assets, assetsFile, errors);
        if (errors.Count > 0)
        {
            return new TopologyParseResult(null, errors.ToList(), errors.Count);
        }

        var network = NetworkTopology.Build(nodeRecords, assetRecords, nodesFile, assetsFile, errors);
        return errors.Count > 0
            ? new TopologyParseResult(null, errors.ToList(), errors.Count)
            : new TopologyParseResult(network, [], 0);
    }

    private static List<NodeRecord> ReadNodes(TextReader reader, string file, ErrorList errors)
    {
        var result = new List<NodeRecord>();
        var csv = new CsvReader(reader);
        var fields = new List<string>(8);
        if (!ReadHeader(csv, fields, file, NodeColumns, errors, out var map))
        {
            return result;
        }

        while (csv.TryRead(fields, out int line, out string? malformed))
        {
            if (fields is [""])
            {
                continue; // blank line
            }
            if (malformed is not null)
            {
                errors.Add(file, line, malformed);
                continue;
            }
            if (fields.Count != NodeColumns.Length)
            {
                errors.Add(file, line, $"expected {NodeColumns.Length} fields, found {fields.Count}");
                continue;
            }

            string id = fields[map[0]].Trim();
            string kindText = fields[map[1]].Trim();
            string parent = fields[map[2]].Trim();
            int before = errors.Count;
            if (id.Length == 0)
            {
                errors.Add(file, line, "id is empty");
            }
            if (!NodeKinds.TryParse(kindText, out var kind))
            {
                errors.Add(file, line, $"unknown kind '{kindText}' (expected one of substation, feeder, recloser, fuse, switch, transformer, customer)");
            }
            double lat = ParseCoordinate(fields[map[3]], "lat", 90, file, line, errors);
            double lon = ParseCoordinate(fields[map[4]], "lon", 180, file, line, errors);
            if (errors.Count != before)
            {
                continue;
            }

            string phase = fields[map[5]].Trim();
            if (phase.Any(ch => ch is not ('A' or 'B' or 'C')))
            {
                errors.Add(file, line, $"phase '{phase}' is not made of the letters A, B, C");
                continue;
            }
            result.Add(new NodeRecord(id, kind, parent.Length == 0 ? null : parent, lat, lon,
                phase.Length == 0 ? null : phase, fields[map[6]].Trim(), line));
        }
        return result;
    }

    private static List<AssetRecord> ReadAssets(TextReader reader, string file, ErrorList errors)
    {
        var result = new List<AssetRecord>();
        var csv = new CsvReader(reader);
        var fields = new List<string>(5);
        if (!ReadHeader(csv, fields, file, AssetColumns, errors, out var map))
        {
            return result;
        }

        while (csv.TryRead(fields, out int line, out string? malformed))
        {
            if (fields is [""])
            {
                continue;
            }
            if (malformed is not null)
            {
                errors.Add(file, line, malformed);
                continue;
            }
            if (fields.Count != AssetColumns.Length)
            {
                errors.Add(file, line, $"expected {AssetColumns.Length} fields, found {fields.Count}");
                continue;
            }
            string customer = fields[map[0]].Trim();
            string account = fields[map[1]].Trim();
            string meter = fields[map[2]].Trim();
            string onu = fields[map[3]].Trim();
            int before = errors.Count;
            if (customer.Length == 0) errors.Add(file, line, "customer_id is empty");
            if (account.Length == 0) errors.Add(file, line, "account_number is empty");
            if (meter.Length == 0) errors.Add(file, line, "meter_id is empty: every customer has a Kaifa meter");
            if (errors.Count != before)
            {
                continue;
            }
            result.Add(new AssetRecord(customer, account, meter, onu.Length == 0 ? null : onu, line));
        }
        return result;
    }

    /// <summary>Maps the contract's columns to their positions; columns may come in any order.</summary>
    private static bool ReadHeader(CsvReader csv, List<string> fields, string file, string[] expected,
        ErrorList errors, out int[] map)
    {
        map = new int[expected.Length];
        if (!csv.TryRead(fields, out int line, out _))
        {
            errors.Add(file, 0, "file is empty: expected a header row " + string.Join(',', expected));
            return false;
        }
        if (fields.Count > 0 && fields[0].StartsWith('\uFEFF'))
        {
            fields[0] = fields[0][1..];
        }
        var names = fields.Select(f => f.Trim()).ToList();
        bool ok = true;
        for (int i = 0; i < expected.Length; i++)
        {
            map[i] = names.IndexOf(expected[i]);
            if (map[i] < 0)
            {
                errors.Add(file, line, $"header has no column '{expected[i]}' (expected {string.Join(',', expected)})");
                ok = false;
            }
        }
        if (ok && names.Count != expected.Length)
        {
            errors.Add(file, line, $"header has {names.Count} columns, expected {expected.Length}: {string.Join(',', expected)}");
            ok = false;
        }
        return ok;
    }

    private static double ParseCoordinate(string text, string column, double limit, string file, int line, ErrorList errors)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            errors.Add(file, line, $"{column} is empty");
            return double.NaN;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            errors.Add(file, line, $"{column} '{text}' is not a number");
            return double.NaN;
        }
        if (value < -limit || value > limit)
        {
            errors.Add(file, line, $"{column} {text} is out of range (-{limit} to {limit})");
            return double.NaN;
        }
        return value;
    }
}

/// <summary>The outcome of reading topology files: a network, or the errors that stopped it.</summary>
/// <param name="TotalErrors">All errors found; <see cref="Errors"/> keeps the first <see cref="TopologyFiles.MaxReportedErrors"/>.</param>
public sealed record TopologyParseResult(NetworkTopology? Network, IReadOnlyList<ImportError> Errors, int TotalErrors)
{
    public bool Succeeded => Network is not null;
}

/// <summary>Collects errors, keeping the first few hundred and counting the rest.</summary>
internal sealed class ErrorList
{
    private readonly List<ImportError> _errors = [];

    public int Count { get; private set; }

    public void Add(string file, int line, string reason)
    {
        Count++;
        if (_errors.Count < TopologyFiles.MaxReportedErrors)
        {
            _errors.Add(new ImportError(file, line, reason));
        }
    }

    public List<ImportError> ToList() => [.. _errors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line)];
}
