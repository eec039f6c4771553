using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OmsDashboard.Browser.Tests;

/// <summary>
/// The Operations map clusters outages on the server for the view the browser shows (ADR 0016):
/// the marks add up to every outage, a click on a cluster zooms into it, and where it cannot zoom
/// further it lists its outages with links.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class OutageClusterMapTests(DashboardApp app)
{
    /// <summary>Event ids of this test's outages: a day no engine numbering reaches.</summary>
    private const string Prefix = "OUT-20991231-";

    /// <summary>
    /// Outages written straight into the table (the page reads them when it opens): one on each of
    /// <paramref name="spread"/> devices across the IEEE feeder, and <paramref name="together"/>
    /// at one fuse of the EPRI feeder (a transformer and its services, say).
    /// </summary>
    private Task InsertAsync(int spread, int together) => app.Database.ExecuteAsync($"""
        INSERT INTO oms_outage_events (event_id, status, severity, confidence_score, affected_customers_count, device_id, device_kind,
            feeder_id, substation_id, location, first_detected_at, has_hazard)
        SELECT '{Prefix}' || lpad(n::text, 4, '0'), 'confirmed', (ARRAY['low','medium','high','critical'])[1 + n % 4], 0.8, 1 + n % 40,
               d.id, d.kind, d.feeder_id, f.substation_id, d.location, now() - interval '10 minutes', n = 7
          FROM (SELECT d.*, row_number() OVER (ORDER BY d.id) AS n FROM network_devices d
                 WHERE d.feeder_id = 'FDR:LN5815900-1' AND d.kind IN ('fuse', 'transformer')) d
          JOIN network_feeders f ON f.id = d.feeder_id
         WHERE d.n <= {spread};
        INSERT INTO oms_outage_events (event_id, status, severity, confidence_score, affected_customers_count, device_id, device_kind,
            feeder_id, substation_id, location, first_detected_at, has_hazard)
        SELECT '{Prefix}' || lpad((1000 + n)::text, 4, '0'), 'probable', 'high', 0.7, n, d.id, d.kind, d.feeder_id, f.substation_id,
               d.location, now() - interval '5 minutes', false
          FROM generate_series(1, {together}) n,
               (SELECT * FROM network_devices WHERE feeder_id = 'FDR:fdr_05410' AND kind = 'fuse' ORDER BY id LIMIT 1) d
          JOIN network_feeders f ON f.id = d.feeder_id;
        """);

    private Task DeleteAsync() => app.Database.ExecuteAsync($"DELETE FROM oms_outage_events WHERE event_id LIKE '{Prefix}%'");

    /// <summary>What the map draws now: outages it stands for, marker count, and each cluster's count.</summary>
    private static async Task<(int Outages, int Markers, int[] Clusters)> MarksAsync(IPage page)
    {
        var s = await page.EvaluateAsync<JsonElement>("""
            () => {
              const map = document.querySelector('[data-testid=outage-map]');
              return { outages: Number(map.dataset.outages),
                       markers: map.querySelectorAll('.oms-outage-marker').length,
                       clusters: [...map.querySelectorAll('.oms-outage-cluster')].map(c => Number(c.dataset.count)) };
            }
            """);
        return (s.GetProperty("outages").GetInt32(), s.GetProperty("markers").GetInt32(),
            [.. s.GetProperty("clusters").EnumerateArray().Select(e => e.GetInt32())]);
    }

    /// <summary>Waits until the marks on the map are the server's answer to the map's last move.</summary>
    private static Task MarksForThisZoomAsync(IPage page) =>
        page.WaitForFunctionAsync("""
            () => { const m = document.querySelector('[data-testid=outage-map]'); return m && m.dataset.marksZoom === m.dataset.zoom; }
            """);

    [Fact]
    public async Task OperationsMap_ManyOutages_ClustersAddUpAndOpenDownToAListOfLinks()
    {
        await DeleteAsync();
        await InsertAsync(spread: 40, together: 6);
        try
        {
            await using var context = await app.NewContextAsync(1920, 1080);
            var page = await context.NewPageAsync();
            await page.GotoAsync("");
            await Pages.WaitUntilInteractiveAsync(page);
            await page.Locator("[data-testid=outage-map][data-feeders-drawn=\"2\"]").WaitForAsync();
            var map = page.GetByTestId("outage-map");
            await Expect(map.Locator(".oms-outage-cluster").First).ToBeVisibleAsync();
            await MarksForThisZoomAsync(page);

            // Fitted to the network, the whole network is in view: the marks stand for every outage, each once.
            var (outages, markers, clusters) = await MarksAsync(page);
            Assert.True(outages >= 46, $"the map stands for {outages} outages");
            Assert.Equal(outages, markers + clusters.Sum());
            Assert.True(markers + clusters.Length < outages, "nothing was clustered");
            // The wire down is visible at once, on its marker or its cluster.
            await Expect(map.Locator(".oms-hazard .oms-hazard-badge").First).ToBeVisibleAsync();
            await map.Locator(".oms-outage-cluster").First.HoverAsync();
            await Expect(page.Locator(".leaflet-tooltip", new PageLocatorOptions { HasTextRegex = new System.Text.RegularExpressions.Regex(@"^\d+ outages · [\d,]+ customers? out") })).ToBeVisibleAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("operations-clusters-1920x1080.png") });

            // Into the cluster of the fuse with six outages, click after click: the map zooms in until
            // they are the only ones left in it, at the deepest zoom, where the cluster lists them instead.
            double[] fuse = [.. (await app.Database.ScalarAsync<string>("""
                SELECT ST_Y(location::geometry) || ',' || ST_X(location::geometry) FROM network_devices
                 WHERE feeder_id = 'FDR:fdr_05410' AND kind = 'fuse' ORDER BY id LIMIT 1
                """)).Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
            var list = page.Locator(".oms-cluster-list");
            for (int click = 0; click < 12 && await list.CountAsync() == 0; click++)
            {
                string zoom = (await map.GetAttributeAsync("data-zoom"))!;
                var cluster = await page.EvaluateHandleAsync("""
                    ([lat, lon]) => [...document.querySelectorAll('[data-testid=outage-map] .oms-outage-cluster')].find(c => {
                      const [s, w, n, e] = c.dataset.box.split(',').map(Number);
                      return s <= lat && lat <= n && w <= lon && lon <= e;
                    }) || null
                    """, fuse);
                var element = cluster.AsElement();
                Assert.True(element is not null, $"no cluster holds the fuse at zoom {zoom}");
                await element.ClickAsync();
                // Either the map zooms in (and the server answers for the new zoom) or, at the deepest zoom, the list opens.
                await page.WaitForFunctionAsync(
                    "z => { const m = document.querySelector('[data-testid=outage-map]'); return m.dataset.zoom !== z || document.querySelector('.oms-cluster-list'); }",
                    zoom);
                await MarksForThisZoomAsync(page);
            }
            await Expect(list).ToBeVisibleAsync();
            await Expect(list.Locator(".oms-cluster-list-title")).ToContainTextAsync("6 outages");
            await Expect(list.Locator("li a")).ToHaveCountAsync(6);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathFor("operations-cluster-list-1920x1080.png") });

            // Each entry opens its outage through the router, without a reload.
            await page.EvaluateAsync("() => { window.omsSamePage = true; }");
            var first = list.Locator("li a").First;
            string href = (await first.GetAttributeAsync("href"))!;
            Assert.Matches("^/outages/[0-9a-f-]{36}$", href);
            await first.ClickAsync();
            await page.WaitForURLAsync("**" + href, new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
            await Expect(page.GetByTestId("outage-header")).ToContainTextAsync(Prefix + "10");
            Assert.True(await page.EvaluateAsync<bool>("() => window.omsSamePage === true"), "the link reloaded the page");
        }
        finally
        {
            await DeleteAsync();
        }
    }
}
