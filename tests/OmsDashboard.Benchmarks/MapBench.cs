using System.Diagnostics;
using OmsDashboard.Web.Features.Operations;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// The Operations map's server-side clustering (ADR 0016), in memory: N outages scattered over a
/// utility-sized area (60 x 40 km), as the page's rows. Times the first <see cref="MapOutages.Update"/>
/// and composition (a page's first load), a composition per zoom (a move), and a push that
/// replaces a few rows (what every circuit does on every push in a storm).
/// </summary>
internal static class MapBench
{
    public static void Run(Options o, Report report)
    {
        int n = o.Int("outages", 50_000);
        int runs = o.Int("runs", 20);
        int changed = o.Int("changed", 20);
        var random = new Random(o.Int("seed", 1));
        string[] severities = ["low", "medium", "high", "critical"];
        var rows = Enumerable.Range(0, n).Select(i => new OutageRow(Guid.NewGuid(), $"OUT-20261128-{i:000000}", i % 3 == 0 ? "confirmed" : "unconfirmed",
            severities[i % 4], 0.8m, $"FUS:{i}", "fuse", $"FDR:{i % 60}", 1 + i % 200, DateTimeOffset.UtcNow.AddMinutes(-i % 600), null, i % 997 == 0,
            30.0 + random.NextDouble() * 0.36, -99.8 + random.NextDouble() * 0.62, 0, 3, 1, 0)).ToArray();
        // The whole area on a 1920x1080 page's map (zoom 9.75), a district (12), a street (15).
        var views = new (string Name, MapView View)[]
        {
            ("area z9.75", new MapView(9.75, -100.2, 29.7, -98.8, 30.6)),
            ("district z12", new MapView(12, -99.6, 30.1, -99.4, 30.2)),
            ("street z15", new MapView(15, -99.52, 30.15, -99.495, 30.165)),
        };

        var first = new List<double>();
        var perView = views.ToDictionary(v => v.Name, _ => new List<double>());
        var push = new List<double>();
        int marks = 0;
        for (int run = 0; run < runs; run++)
        {
            var outages = new MapOutages();
            var composer = new MapComposer();
            long start = Stopwatch.GetTimestamp();
            outages.Update(rows);
            var update = composer.Compose(outages, views[0].View);
            first.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            marks = update.Markers.Count + update.Clusters.Count;
            foreach (var (name, view) in views)
            {
                start = Stopwatch.GetTimestamp();
                composer.Compose(outages, view);
                perView[name].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            composer.Compose(outages, views[0].View);
            var next = (OutageRow[])rows.Clone();
            for (int k = 0; k < changed; k++)
            {
                int at = random.Next(n);
                next[at] = next[at] with { Status = "confirmed", Customers = next[at].Customers + 1 };
            }
            start = Stopwatch.GetTimestamp();
            outages.Update(next);
            composer.Compose(outages, views[0].View);
            push.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        string load = Machine.Load();
        void Figure(string name, List<double> values) =>
            report.Note($"map: {name}: median {Stats.Median(values):F2} ms, p95 {Percentiles.Of([.. values.Order()], 95):F2} ms over {values.Count} repetitions (load {load})");
        report.Line($"map: {n:N0} outages, {marks} marks for the whole area");
        Figure($"first load of {n:N0} outages (update + compose the whole area)", first);
        foreach (var (name, _) in views)
        {
            Figure($"compose at {name}", perView[name]);
        }
        Figure($"a push of {changed} changed outages (update + compose the whole area)", push);
    }
}
