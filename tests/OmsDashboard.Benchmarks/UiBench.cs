using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OmsDashboard.Data;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Testing;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// <c>ui</c>: the Operations page (<c>/</c>) in Chromium with tens of thousands of active outages,
/// first render and update-to-screen under a storm feed.
/// <para>
/// Setup: a synthetic utility imported into a template database, then <c>--outages</c> active
/// outage rows written by one set-based INSERT … SELECT over its transformers and devices
/// (<c>number</c> NULL: the correlation pass keys its rows by number and leaves these alone, which
/// the run checks after the app has started). The app runs as its own process (Release, no demo
/// feed) on a copy; an administrator signs in once through the form.
/// </para>
/// <para>
/// First render, per fresh browser context: navigation start (<c>performance.now()</c> = 0) until
/// the grid shows a row, the KPI header shows the active count read from the database, the map
/// stands for every outage (<c>data-outages</c>, the total the server's clustering sends, ADR 0016)
/// and has drawn at least one marker or cluster icon;
/// a requestAnimationFrame loop in the page notes each of the three.
/// </para>
/// <para>
/// Storm: the loss signals of simulated fuse and switch faults posted at <c>--rate</c> signals/s
/// (one batch per source every 100 ms, dated 100 s back so the engine's hold has passed, as
/// <c>push</c> does). A MutationObserver in the page notes when each new outage's row (event id
/// <c>OUT-…</c>) first appears in the grid and how much evidence its Sources cell shows (k). The
/// outage's evidence is read afterwards from the API; the signal that let it be shown is its k-th
/// in order of acceptance. Update-to-screen = row appeared (page clock, <c>timeOrigin + now()</c>)
/// − 200 of that signal's batch (harness clock converted to Unix ms; same machine). New outages are
/// the newest, so they enter at the top of the default sort (newest first) and are in view.
/// Responsiveness: long tasks (PerformanceObserver 'longtask') during the storm; and a second
/// operator's page that, every few seconds, types an event id into the grid's search box and waits
/// for the grid to show only that row (includes the box's 150 ms debounce).
/// </para>
/// </summary>
internal static class UiBench
{
    private static readonly TimeSpan SendEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DatedBefore = TimeSpan.FromSeconds(100);
    private const string AdminPassword = "Bench-Admin-Pa55word!";

    public static async Task RunAsync(Options o, Report report)
    {
        int outages = o.Int("outages", 50_000);
        int runs = o.Int("runs", 5);
        int rate = o.Int("rate", 1_000);
        int seconds = o.Int("seconds", 60);
        await using var bench = await AppBench.CreateAsync(o, report, defaultCustomers: 150_000);
        await using (var ds = OmsDatabase.CreateDataSource(bench.Server.ConnectionString(bench.Template)))
        {
            var clock = Stopwatch.StartNew();
            int inserted = await InsertOutagesAsync(ds, outages);
            report.Line($"setup: {inserted:N0} active outages inserted in {clock.Elapsed.TotalSeconds:F1} s: " +
                        await Sql.PairsAsync(ds, "SELECT status, count(*) FROM oms_outage_events GROUP BY 1 ORDER BY 1") + "; kinds " +
                        await Sql.PairsAsync(ds, "SELECT device_kind, count(*) FROM oms_outage_events GROUP BY 1 ORDER BY 1") +
                        $"; {await Sql.ScalarAsync<long>(ds, "SELECT count(DISTINCT feeder_id) FROM oms_outage_events"):N0} feeders; " +
                        $"customers out {await Sql.ScalarAsync<long>(ds, "SELECT sum(affected_customers_count) FROM oms_outage_events"):N0}");
            if (inserted != outages) throw new InvalidOperationException($"only {inserted:N0} outage rows could be placed (a bigger --customers is needed)");
        }
        var signals = PushBench.LossSignals(bench, o.Int("seed", 1), rate * seconds, report);

        var (db, app) = await bench.StartAppAsync("ui", new Dictionary<string, string>
        {
            ["OMS_ADMIN_PASSWORD"] = AdminPassword,
            // The page's start-up reads, each timed (OperationsPage.Timed), into the app's output.
            ["Logging__LogLevel__OmsDashboard.Web.Features.Operations"] = "Debug",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        });
        try
        {
            string cs = bench.Server.ConnectionString(db);
            // The first correlation pass (engine rebuilt by replay) runs at start: it must leave the rows alone.
            await Task.Delay(TimeSpan.FromSeconds(10));
            long kept = await Db.CountAsync(cs, "SELECT count(*) FROM oms_outage_events WHERE number IS NULL AND status IN ('unconfirmed','probable','confirmed')");
            long passes = await Db.CountAsync(cs, "SELECT passes FROM oms_correlation_state WHERE id = 1");
            report.Line($"app up at {app.BaseAddress}; after its start-up pass ({passes} passes committed) {kept:N0} of the {outages:N0} inserted outages are still active and unchanged-numbered");
            if (kept != outages) throw new InvalidOperationException("the correlation pass altered the inserted outages");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("OMS_CHROMIUM_PATH") ?? "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            });
            string state = await SignInAsync(browser, app.BaseAddress);

            var total = new List<double>();
            var loads = new List<string>();
            // One untimed load first: the app's JIT, the first circuit, Chromium's caches of the static files.
            for (int r = 0; r <= runs; r++)
            {
                await using var context = await NewContextAsync(browser, app.BaseAddress, state);
                var page = await context.NewPageAsync();
                var result = await FirstRenderAsync(page, outages, app);
                string load = Machine.Load();
                report.Line($"first render {(r == 0 ? "warm-up" : $"run {r}")}: {result}; load {load}");
                // Where the time went: the server's reads (the last page's log lines) and the map's marks.
                var reads = app.Output.Split(Environment.NewLine).Where(l => l.Contains("Operations page", StringComparison.Ordinal) || l.Contains("Outage map:", StringComparison.Ordinal)).TakeLast(7)
                    .Select(l => l[Math.Max(0, l.IndexOf("] ", StringComparison.Ordinal) + 2)..]);
                report.Line($"  server: {string.Join("; ", reads)}");
                report.Line($"  browser: {await page.EvaluateAsync<string>(MapMarks)}");
                if (r == 0)
                {
                    // To look at: the page as the runs measure it (artifacts/ is git-ignored).
                    string shots = Path.Combine(RepoRoot.Find(), "artifacts", "screenshots");
                    Directory.CreateDirectory(shots);
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, $"ui-bench-{outages}-1920x1080.png") });
                    continue;
                }
                total.Add(result.All);
                loads.Add(load);
            }
            var sorted = total.Order().ToArray();
            report.Figure($"ui: first render of / with {outages:N0} active outages (navigation start -> grid rows, KPI count and the map standing for every outage), 1920x1080", "ms", total, loads,
                $"p95 {Report.Fmt(Percentiles.Of(sorted, 95))} ms, max {Report.Fmt(sorted[^1])} ms");

            await StormAsync(browser, app, state, cs, signals, rate, outages, report);
        }
        finally
        {
            await app.DisposeAsync();
            await bench.Server.DropAsync(db);
        }
    }

    /// <summary>Active outages on transformers (customers from the customer table), fuses, switches and reclosers, spread over the network.</summary>
    private static async Task<int> InsertOutagesAsync(Npgsql.NpgsqlDataSource ds, int count)
    {
        await using var cmd = ds.CreateCommand("""
            WITH targets AS (
                SELECT p.id, 'transformer' AS kind, p.feeder_id, p.location,
                       (SELECT count(*) FROM oms_customers c WHERE c.distribution_point_id = p.id)::int AS customers
                  FROM network_distribution_points p
                UNION ALL
                SELECT d.id, d.kind, d.feeder_id, d.location, 10 + (abs(hashtext(d.id)) % 190)
                  FROM network_devices d WHERE d.kind IN ('fuse', 'switch', 'recloser')
            ), picked AS (
                SELECT t.*, row_number() OVER (ORDER BY md5(t.id)) AS rn FROM targets t
            )
            INSERT INTO oms_outage_events (event_id, number, status, severity, confidence_score, affected_customers_count,
                device_id, device_kind, feeder_id, substation_id, location, first_detected_at, probable_at, confirmed_at, has_hazard)
            SELECT 'BENCH-' || lpad(rn::text, 6, '0'), NULL,
                   CASE WHEN rn % 10 < 5 THEN 'unconfirmed' WHEN rn % 10 < 8 THEN 'probable' ELSE 'confirmed' END,
                   CASE WHEN rn % 20 < 8 THEN 'low' WHEN rn % 20 < 15 THEN 'medium' WHEN rn % 20 < 19 THEN 'high' ELSE 'critical' END,
                   CASE WHEN rn % 10 < 5 THEN 0.45 WHEN rn % 10 < 8 THEN 0.75 ELSE 0.95 END,
                   greatest(p.customers, 1), p.id, p.kind, p.feeder_id, f.substation_id, p.location,
                   first_at,
                   CASE WHEN rn % 10 >= 5 THEN first_at + interval '3 minutes' END,
                   CASE WHEN rn % 10 >= 8 THEN first_at + interval '10 minutes' END,
                   rn % 97 = 0
              FROM picked p JOIN network_feeders f ON f.id = p.feeder_id,
                   LATERAL (SELECT now() - interval '5 minutes' - (rn % 21600) * interval '1 second' AS first_at) t
             WHERE rn <= @count
            """);
        cmd.Parameters.AddWithValue("count", count);
        cmd.CommandTimeout = 0;
        int n = await cmd.ExecuteNonQueryAsync();
        await using var analyze = ds.CreateCommand("VACUUM ANALYZE oms_outage_events");
        analyze.CommandTimeout = 0;
        await analyze.ExecuteNonQueryAsync();
        return n;
    }

    private static async Task<IBrowserContext> NewContextAsync(IBrowser browser, Uri baseAddress, string? state)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1920, Height = 1080 },
            StorageState = state,
        });
        context.SetDefaultTimeout(180_000);
        return context;
    }

    private static async Task<string> SignInAsync(IBrowser browser, Uri baseAddress)
    {
        await using var context = await NewContextAsync(browser, baseAddress, null);
        var page = await context.NewPageAsync();
        await page.GotoAsync("signin");
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(AdminPassword);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();
        await page.GetByTestId("user-name").Filter(new LocatorFilterOptions { HasText = "admin" }).WaitForAsync();
        return await context.StorageStateAsync();
    }

    /// <summary>Notes, from navigation start, when the grid, the KPI and the map are each done; and long tasks.</summary>
    private const string FirstRenderProbe = """
        (() => {
          const expected = '__EXPECTED__';
          const w = window;
          w.__oms = { grid: null, kpi: null, mapFirst: null, map: null, done: null, longTasks: 0, longTaskMs: 0, longestTask: 0 };
          try {
            new PerformanceObserver(list => {
              for (const e of list.getEntries()) { w.__oms.longTasks++; w.__oms.longTaskMs += e.duration; w.__oms.longestTask = Math.max(w.__oms.longestTask, e.duration); }
            }).observe({ type: 'longtask', buffered: true });
          } catch { }
          const check = () => {
            const s = w.__oms, t = performance.now();
            if (s.grid === null && document.querySelector('[data-testid=outage-grid] [data-testid=outage-event]')) s.grid = t;
            const kpi = document.querySelector('[data-testid=kpi-active]');
            if (s.kpi === null && kpi && kpi.textContent.trim() === expected) s.kpi = t;
            const map = document.querySelector('[data-testid=outage-map]');
            if (s.mapFirst === null && map && map.dataset.outages && map.dataset.outages !== '0') s.mapFirst = t;
            if (s.map === null && map && map.dataset.outages === expected.replace(/,/g, '')
                && map.querySelector('.oms-outage-cluster, .oms-outage-marker')) s.map = t;
            if (s.grid !== null && s.kpi !== null && s.map !== null) { s.done = Math.max(s.grid, s.kpi, s.map); return; }
            requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        })();
        """;

    /// <summary>The map module's performance marks and measures (outageMap.js), ms from navigation start.</summary>
    private const string MapMarks = """
        () => performance.getEntries().filter(e => e.name.startsWith('oms-'))
          .map(e => e.entryType === 'measure'
            ? `${e.name} ${e.startTime.toFixed(0)}+${e.duration.toFixed(0)} ms (${JSON.stringify(e.detail)})`
            : `${e.name} ${e.startTime.toFixed(0)}${e.detail ? ' ' + JSON.stringify(e.detail) : ''}`).join('; ')
        """;

    private sealed record FirstRender(double Negotiated, double Grid, double Kpi, double MapFirst, double Map, double All, int LongTasks, double LongTaskMs, double LongestTask,
        int DomNodes, int MarkerIcons, int ClusterIcons, double AppCpuS)
    {
        public override string ToString() =>
            $"all {All:F0} ms (circuit negotiated {Negotiated:F0}, grid rows {Grid:F0}, KPI {Kpi:F0}, map: first markers {MapFirst:F0}, all {Map:F0}); long tasks {LongTasks} totalling {LongTaskMs:F0} ms (longest {LongestTask:F0}); " +
            $"DOM {DomNodes:N0} elements, {MarkerIcons} marker and {ClusterIcons} cluster icons; app CPU {AppCpuS:F1} s";
    }

    private static async Task<FirstRender> FirstRenderAsync(IPage page, int outages, AppProcess app)
    {
        await page.AddInitScriptAsync(FirstRenderProbe.Replace("__EXPECTED__", outages.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var cpu = app.CpuTime;
        await page.GotoAsync("/");
        await page.WaitForFunctionAsync("() => window.__oms && window.__oms.done !== null", null, new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = 180_000 });
        // Let the chunked marker loading finish before counting icons.
        await page.WaitForTimeoutAsync(1000);
        var s = await page.EvaluateAsync<JsonElement>("""
            () => ({ ...window.__oms, dom: document.getElementsByTagName('*').length,
                     negotiated: (performance.getEntriesByType('resource').find(e => e.name.includes('_blazor/negotiate')) || { responseEnd: -1 }).responseEnd,
                     markers: document.querySelectorAll('[data-testid=outage-map] .oms-outage-marker').length,
                     clusters: document.querySelectorAll('[data-testid=outage-map] .oms-outage-cluster').length })
            """);
        return new FirstRender(s.GetProperty("negotiated").GetDouble(), s.GetProperty("grid").GetDouble(), s.GetProperty("kpi").GetDouble(), s.GetProperty("mapFirst").GetDouble(), s.GetProperty("map").GetDouble(), s.GetProperty("done").GetDouble(),
            s.GetProperty("longTasks").GetInt32(), s.GetProperty("longTaskMs").GetDouble(), s.GetProperty("longestTask").GetDouble(),
            s.GetProperty("dom").GetInt32(), s.GetProperty("markers").GetInt32(), s.GetProperty("clusters").GetInt32(), (app.CpuTime - cpu).TotalSeconds);
    }

    /// <summary>Each engine outage's row (event id OUT-…) the first time it is in the grid: Unix ms and the evidence its Sources cell shows.</summary>
    private const string RowObserver = """
        () => {
          const w = window;
          w.__rows = {};
          w.__storm = { longTasks: 0, longTaskMs: 0, longestTask: 0 };
          new PerformanceObserver(list => {
            for (const e of list.getEntries()) { w.__storm.longTasks++; w.__storm.longTaskMs += e.duration; w.__storm.longestTask = Math.max(w.__storm.longestTask, e.duration); }
          }).observe({ type: 'longtask' });
          const grid = document.querySelector('[data-testid=outage-grid]');
          const scan = () => {
            const at = performance.timeOrigin + performance.now();
            for (const a of grid.querySelectorAll('[data-testid=outage-event]')) {
              const id = a.textContent.trim();
              if (!id.startsWith('OUT-') || w.__rows[id]) continue;
              const row = a.closest('tr');
              let k = 0;
              if (row) for (const c of row.querySelectorAll('.oms-source-count .oms-count')) k += parseInt(c.textContent, 10) || 0;
              w.__rows[id] = { at, k, id: a.dataset.outageId };
            }
          };
          new MutationObserver(scan).observe(grid, { childList: true, subtree: true, characterData: true });
          scan();
          return true;
        }
        """;

    private static async Task StormAsync(IBrowser browser, AppProcess app, string state, string cs, List<Signal> signals, int rate, int outages, Report report)
    {
        await using var context = await NewContextAsync(browser, app.BaseAddress, state);
        var page = await context.NewPageAsync();
        await FirstRenderAsync(page, outages, app);
        await page.EvaluateAsync(RowObserver);
        // A second operator who searches the grid during the storm.
        await using var context2 = await NewContextAsync(browser, app.BaseAddress, state);
        var page2 = await context2.NewPageAsync();
        await FirstRenderAsync(page2, outages, app);
        // The same search before the storm: what the search costs by itself, to tell it from what the storm adds.
        using (var calm = new CancellationTokenSource())
        {
            var quiet = (await SearchLoopAsync(page2, outages, calm.Token, TimeSpan.FromMilliseconds(500), 10)).Order().ToArray();
            report.Line($"calm: page 2 search typed -> only that row shown, no storm: {quiet.Length} searches, p50 {Percentiles.Of(quiet, 50):F0} / p95 {Percentiles.Of(quiet, 95):F0} / max {quiet[^1]:F0} ms (includes the 150 ms debounce)");
            report.Figure("ui: search-to-screen p95 without a storm (second page)", "ms", [Percentiles.Of(quiet, 95)], [Machine.Load()]);
        }

        using var client = AppBench.Client(app.BaseAddress, 64);
        // Unix ms of a Stopwatch timestamp: one pairing, both clocks of this machine.
        long baseTicks = Stopwatch.GetTimestamp();
        double baseUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        double UnixMs(long ticks) => baseUnixMs + Stopwatch.GetElapsedTime(baseTicks, ticks).TotalMilliseconds;

        var accepted = new ConcurrentDictionary<(string Source, string Id), long>();
        var requestMs = new ConcurrentBag<double>();
        int refusals = 0, sent = 0, batches = 0;
        var inFlight = new List<Task>();
        int perSlot = Math.Max(1, (int)Math.Round(rate * SendEvery.TotalSeconds));
        long passesBefore = await Db.CountAsync(cs, "SELECT passes FROM oms_correlation_state WHERE id = 1");
        var appCpu = app.CpuTime;
        string loadBefore = Machine.Load();
        using var stop = new CancellationTokenSource();
        var searcher = SearchLoopAsync(page2, outages, stop.Token);
        var clock = Stopwatch.StartNew();
        for (int slot = 0; sent < signals.Count; slot++)
        {
            var due = TimeSpan.FromTicks(SendEvery.Ticks * slot);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var now = DateTimeOffset.UtcNow;
            var chunk = signals.Skip(sent).Take(perSlot).Select(s => s with { OccurredAt = now - DatedBefore, ReceivedAt = now }).ToList();
            sent += chunk.Count;
            foreach (var batch in ContractBatches.Build(chunk, 10_000))
            {
                batches++;
                inFlight.Add(Task.Run(async () =>
                {
                    var (status, latency, refused, _, body) = await AppBench.PostAsync(client, batch);
                    long at = Stopwatch.GetTimestamp();
                    Interlocked.Add(ref refusals, refused);
                    if (status != HttpStatusCode.OK) throw new InvalidOperationException($"batch answered {(int)status}: {body}");
                    requestMs.Add(latency.TotalMilliseconds);
                    foreach (var s in batch.Signals) accepted[(batch.Source, s.SourceId)] = at;
                }));
            }
        }
        await Task.WhenAll(inFlight);
        var sendTime = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(10));
        stop.Cancel();
        var searches = await searcher;
        string load = Machine.Load();
        double appCpuS = (app.CpuTime - appCpu).TotalSeconds;
        long passes = await Db.CountAsync(cs, "SELECT passes FROM oms_correlation_state WHERE id = 1") - passesBefore;
        long created = await Db.CountAsync(cs, "SELECT count(*) FROM oms_outage_events WHERE number IS NOT NULL");

        // As JSON text: the harness parses it (no reliance on Playwright's object serialization).
        using var rowsDoc = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.__rows)"));
        using var stormDoc = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.__storm)"));
        var rows = rowsDoc.RootElement;
        var storm = stormDoc.RootElement;
        report.Line($"storm: {rows.EnumerateObject().Count():N0} new rows noted by the observer; page 1 long tasks {storm}");
        string kpi = await page.GetByTestId("kpi-active").InnerTextAsync();
        // k-th evidence (k shown in the row's Sources cell when it appeared) where k > 0; for every
        // row also two bounds: from the last of its evidence accepted before it appeared (never
        // overstated) and from its first evidence (includes waiting for more evidence).
        var latencies = new List<double>();
        var lower = new List<double>();
        var upper = new List<double>();
        int skipped = 0, noEvidenceShown = 0;
        foreach (var row in rows.EnumerateObject())
        {
            double at = row.Value.GetProperty("at").GetDouble();
            int k = row.Value.GetProperty("k").GetInt32();
            string? id = row.Value.GetProperty("id").GetString();
            if (id is null) { skipped++; continue; }
            JsonElement detail;
            try
            {
                detail = await client.GetFromJsonAsync<JsonElement>($"/api/oms/outages/{id}");
            }
            catch (HttpRequestException)
            {
                skipped++;
                continue;
            }
            var times = detail.GetProperty("sources").EnumerateArray()
                .Select(s => accepted.TryGetValue((s.GetProperty("source").GetString()!, s.GetProperty("sourceId").GetString()!), out long t) ? t : (long?)null)
                .Where(t => t is not null).Select(t => UnixMs(t!.Value)).Order().ToList();
            if (times.Count == 0) { skipped++; continue; }
            upper.Add(at - times[0]);
            var before = times.Where(t => t <= at).ToList();
            if (before.Count > 0) lower.Add(at - before[^1]);
            if (k == 0) { noEvidenceShown++; continue; }
            latencies.Add(at - times[Math.Min(k, times.Count) - 1]);
        }
        var lo = lower.Order().ToArray();
        var up = upper.Order().ToArray();
        report.Line($"storm: rows with no evidence count in their Sources cell when they appeared: {noEvidenceShown}; rows without any evidence accepted by this run: {skipped}");
        report.Line($"storm: lower bound (last evidence accepted before the row appeared -> row) {lo.Length} rows: p50 {Percentiles.Of(lo, 50):F0} / p95 {Percentiles.Of(lo, 95):F0} / p99 {Percentiles.Of(lo, 99):F0} ms; " +
                    $"upper bound (first evidence -> row) {up.Length} rows: p50 {Percentiles.Of(up, 50):F0} / p95 {Percentiles.Of(up, 95):F0} / p99 {Percentiles.Of(up, 99):F0} ms");
        var sorted = latencies.Order().ToArray();
        var req = requestMs.Order().ToArray();
        var search = searches.Order().ToArray();
        double stormSeconds = sendTime.TotalSeconds + 10;
        report.Line($"storm: sent {sent:N0} signals in {sendTime.TotalSeconds:F1} s ({sent / sendTime.TotalSeconds:N0}/s) in {batches:N0} batches, request p50 {Percentiles.Of(req, 50):F0} / p95 {Percentiles.Of(req, 95):F0} ms, {refusals} × 429; " +
                    $"{created:N0} new outages ({created / sendTime.TotalSeconds:F0}/s), {passes} passes; app CPU {appCpuS:F1} s ({100 * appCpuS / stormSeconds:F0} % of one core); load before {loadBefore}, after {load}");
        report.Line($"storm: {rows.EnumerateObject().Count():N0} new rows seen in the grid of page 1, {latencies.Count:N0} timed ({skipped} without matching evidence); KPI at the end {kpi} (expected {outages + created:N0})");
        report.Line($"storm: update-to-screen p50 {Percentiles.Of(sorted, 50):F0} / p95 {Percentiles.Of(sorted, 95):F0} / p99 {Percentiles.Of(sorted, 99):F0} / max {(sorted.Length > 0 ? sorted[^1] : double.NaN):F0} ms");
        report.Line($"storm: page 1 long tasks {storm.GetProperty("longTasks").GetInt32()} totalling {storm.GetProperty("longTaskMs").GetDouble():F0} ms over {stormSeconds:F0} s " +
                    $"({100 * storm.GetProperty("longTaskMs").GetDouble() / 1000 / stormSeconds:F0} % of the main thread), longest {storm.GetProperty("longestTask").GetDouble():F0} ms");
        report.Line($"storm: page 2 search typed -> only that row shown: {search.Length} searches, p50 {Percentiles.Of(search, 50):F0} / p95 {Percentiles.Of(search, 95):F0} / max {(search.Length > 0 ? search[^1] : double.NaN):F0} ms (includes the 150 ms debounce)");
        var one = new[] { load };
        report.Figure($"ui: storm update-to-screen p50 ({rate:N0} signals/s for {sendTime.TotalSeconds:F0} s over {outages:N0} active outages)", "ms", [Percentiles.Of(sorted, 50)], one);
        report.Figure("ui: storm update-to-screen p95", "ms", [Percentiles.Of(sorted, 95)], one);
        report.Figure("ui: storm update-to-screen p99", "ms", [Percentiles.Of(sorted, 99)], one);
        report.Figure("ui: storm update-to-screen lower bound p95 (every new row)", "ms", [Percentiles.Of(lo, 95)], one);
        report.Figure("ui: storm update-to-screen upper bound p95 (every new row, from its first evidence)", "ms", [Percentiles.Of(up, 95)], one);
        report.Figure("ui: storm search-to-screen p95 (second page)", "ms", [Percentiles.Of(search, 95)], one);
        report.Figure("ui: storm main-thread long tasks, share of the storm", "%", [100 * storm.GetProperty("longTaskMs").GetDouble() / 1000 / stormSeconds], one);
    }

    /// <summary>
    /// Every <paramref name="every"/> (3 s by default), at most <paramref name="max"/> times: type an
    /// inserted outage's event id into the search box, wait for the grid to show only it, clear.
    /// </summary>
    private static async Task<List<double>> SearchLoopAsync(IPage page, int outages, CancellationToken ct, TimeSpan? every = null, int max = int.MaxValue)
    {
        var times = new List<double>();
        // MudTextField puts the test id on its input or on its wrapper, depending on the version.
        var box = page.Locator("input[data-testid=outage-search], [data-testid=outage-search] input").First;
        var rnd = new Random(7);
        try
        {
            while (!ct.IsCancellationRequested && times.Count < max)
            {
                await Task.Delay(every ?? TimeSpan.FromSeconds(3), ct);
                string id = $"BENCH-{rnd.Next(1, outages + 1):D6}";
                var clock = Stopwatch.StartNew();
                await box.FillAsync(id);
                await page.WaitForFunctionAsync($$"""
                    () => { const a = [...document.querySelectorAll('[data-testid=outage-grid] [data-testid=outage-event]')];
                            return a.length === 1 && a[0].textContent.trim() === '{{id}}'; }
                    """, null, new PageWaitForFunctionOptions { PollingInterval = 16, Timeout = 60_000 });
                times.Add(clock.Elapsed.TotalMilliseconds);
                await box.FillAsync("");
                await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=outage-grid] [data-testid=outage-event]').length > 1",
                    null, new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = 60_000 });
            }
        }
        catch (OperationCanceledException)
        {
        }
        return times;
    }
}
