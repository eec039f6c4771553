using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace OmsDashboard.Benchmarks;

/// <summary>Prints progress lines and collects the figures for the closing summary.</summary>
internal sealed class Report(string command)
{
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private readonly List<string> _summary = [];

    public string Command { get; } = command;

    public void Line(string text) => Console.WriteLine($"[{_since.Elapsed.TotalSeconds,7:F1}s] {text}");

    /// <summary>A figure measured several times: prints and keeps the median with every run and the load next to each.</summary>
    public void Figure(string name, string unit, IReadOnlyList<double> values, IReadOnlyList<string> loads, string? note = null)
    {
        string runs = string.Join(", ", values.Select((v, i) => $"{Fmt(v)} (load {loads[i]})"));
        string line = $"{name}: median {Fmt(Stats.Median(values))} {unit} over {values.Count} runs [{runs}]" + (note is null ? "" : " — " + note);
        Line("FIGURE " + line);
        _summary.Add(line);
    }

    public void Note(string text)
    {
        Line(text);
        _summary.Add(text);
    }

    public void PrintSummary()
    {
        Console.WriteLine();
        Console.WriteLine("SUMMARY");
        Console.WriteLine("  command: " + Command);
        Console.WriteLine("  machine: " + Machine.Describe());
        foreach (var line in _summary)
        {
            Console.WriteLine("  " + line);
        }
        Console.WriteLine("  load at end: " + Machine.Load());
    }

    public static string Fmt(double v) => Math.Abs(v) switch
    {
        >= 10_000 => v.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 => v.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("F1", CultureInfo.InvariantCulture),
        _ => v.ToString("F2", CultureInfo.InvariantCulture),
    };

    public static string Mb(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

/// <summary>The machine and the process: CPUs, memory, load, GC mode, resident set.</summary>
internal static class Machine
{
    public static string Load()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static string Describe()
    {
        int machineCpus = MachineCpus();
        string affinity = "";
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            affinity = $", affinity mask 0x{(long)Process.GetCurrentProcess().ProcessorAffinity:X}";
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"nproc {machineCpus} (this process sees {Environment.ProcessorCount}{affinity}), {MemInfoKb("MemTotal") / 1048576.0:F1} GiB RAM, " +
            $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription.Trim()}, " +
            $"GC {(GCSettings.IsServerGC ? "server" : "workstation")} {GCSettings.LatencyMode}");
    }

    private static int MachineCpus()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return Environment.ProcessorCount;
        }
    }

    private static long MemInfoKb(string key) => ReadKb("/proc/meminfo", key);

    private static long ReadKb(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    /// <summary>Peak resident set of this process (VmHWM), since start or the last <see cref="ResetPeakRss"/>.</summary>
    public static long PeakRssBytes() => ReadKb("/proc/self/status", "VmHWM") * 1024;

    public static long RssBytes() => ReadKb("/proc/self/status", "VmRSS") * 1024;

    /// <summary>Resets VmHWM to the current resident set (Linux: clear_refs 5), so the next peak is the run's.</summary>
    public static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static void FullGc()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
