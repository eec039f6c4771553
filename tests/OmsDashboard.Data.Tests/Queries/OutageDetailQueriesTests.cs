using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Import;
using OmsDashboard.Data.Queries;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Queries;

/// <summary>
/// The outage page's read models on a real database: the IEEE 8500 feeder, a fuse fault made into
/// an outage by a real correlation pass, and a few outages inserted the way the pass leaves them.
/// Expected sets are computed independently of the queries under test (walking the stored tree in C#).
/// </summary>
public sealed class OutageDetailQueriesTests(OutageDetailQueriesTests.Fixture fx) : IClassFixture<OutageDetailQueriesTests.Fixture>
{
    private const string Fuse = StoredSignals.IeeeFuse;
    private const string Feeder = "FDR:LN5815900-1";

    public sealed class Fixture : IAsyncLifetime
    {
        public static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);

        public TestDatabase Db { get; private set; } = null!;
        public Guid FuseOutage { get; private set; }
        public string FuseEventId { get; private set; } = "";
        public int Gasps { get; private set; }

        /// <summary>parent of every device, transformer and customer (a device's parent is null under the feeder head).</summary>
        public Dictionary<string, string?> Parents { get; } = [];
        public Dictionary<string, string> TransformerOf { get; } = [];

        public async Task InitializeAsync()
        {
            Db = await TestDatabase.CreateMigratedAsync("detail");
            var imported = await new TopologyImporter(Db.DataSource).ImportFilesAsync(RepoPaths.Feeder("ieee8500", "nodes.csv"), RepoPaths.Feeder("ieee8500", "assets.csv"));
            Assert.True(imported.Succeeded);
            Gasps = await Db.StoreLastGaspsBelowAsync(Fuse, T0, "KF");
            var result = await new CorrelationPass(Db.DataSource, TimeProvider.System).RunAsync(T0.AddMinutes(5));
            Assert.Equal(1, result.Created);
            FuseOutage = await Db.ScalarAsync<Guid>("SELECT id FROM oms_outage_events");
            FuseEventId = await Db.ScalarAsync<string>("SELECT event_id FROM oms_outage_events");

            await using var cmd = Db.DataSource.CreateCommand("""
                SELECT id, parent_device_id FROM network_devices UNION ALL SELECT id, parent_device_id FROM network_distribution_points
                """);
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                while (await r.ReadAsync())
                {
                    Parents[r.GetString(0)] = r.IsDBNull(1) ? null : r.GetString(1);
                }
            }
            await using var customers = Db.DataSource.CreateCommand("SELECT id, distribution_point_id FROM oms_customers");
            await using var c = await customers.ExecuteReaderAsync();
            while (await c.ReadAsync())
            {
                TransformerOf[c.GetString(0)] = c.GetString(1);
            }
        }

        public async Task DisposeAsync() => await Db.DisposeAsync();

        /// <summary>Whether <paramref name="node"/> lies below <paramref name="device"/> (or is it).</summary>
        public bool IsBelow(string node, string device)
        {
            for (string? at = node; at is not null; at = Parents.GetValueOrDefault(at))
            {
                if (at == device)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Inserts an outage the way the pass leaves one (only the columns the page reads).</summary>
        public async Task<Guid> InsertOutageAsync(string eventId, string device, string kind, DateTimeOffset first, string status = "confirmed")
        {
            return await Db.ScalarAsync<Guid>($"""
                INSERT INTO oms_outage_events (event_id, status, severity, confidence_score, affected_customers_count, device_id, device_kind,
                    feeder_id, substation_id, first_detected_at, has_hazard)
                SELECT '{eventId}', '{status}', 'high', 0.9, 10, '{device}', '{kind}', f.id, f.substation_id, '{first:O}', false
                  FROM network_feeders f WHERE f.id = '{Feeder}'
                RETURNING id
                """);
        }
    }

    private OutageDetailQueries Queries => new(fx.Db.DataSource);

    [Fact]
    public async Task GetSummary_FuseOutage_PathRunsFromTheFuseUpEveryParentToTheFeederAndSubstation()
    {
        var summary = await Queries.GetSummaryAsync(fx.FuseOutage.ToString());

        Assert.NotNull(summary);
        Assert.Equal(fx.FuseEventId, summary.Outage.EventId);
        var path = summary.Path;
        Assert.Equal((Fuse, "fuse"), (path[0].Id, path[0].Kind));
        Assert.Equal(["feeder", "substation"], path.TakeLast(2).Select(p => p.Kind));
        Assert.Equal(Feeder, path[^2].Id);
        Assert.Equal("SUB:HVMV_Sub", path[^1].Id);
        // Between the fuse and the feeder head: exactly the chain of parents, nearest first.
        var expected = new List<string>();
        for (string? at = fx.Parents[Fuse]; at is not null; at = fx.Parents[at])
        {
            expected.Add(at);
        }
        Assert.Equal(expected, path.Skip(1).SkipLast(2).Select(p => p.Id));
        Assert.All(path, p => Assert.InRange(p.Lat, 30, 40));
    }

    [Fact]
    public async Task GetSummary_ByEventId_CarriesExplanationCountsAndTimelineNewestFirst()
    {
        await fx.Db.ExecuteAsync($"""
            INSERT INTO oms_event_timeline (outage_event_id, occurred_at, entry_type, description, actor)
            VALUES ('{fx.FuseOutage}', '{Fixture.T0.AddMinutes(30):O}', 'note', 'crew on site', 'jdoe')
            """);
        try
        {
            var summary = await Queries.GetSummaryAsync(fx.FuseEventId);

            Assert.NotNull(summary);
            Assert.Equal("roll_up", summary.Explanation!.Value.GetProperty("rule").GetString());
            Assert.Equal([new EvidenceCount("kaifa", "last_gasp", fx.Gasps)], summary.EvidenceCounts);
            Assert.Equal(("note", "jdoe"), (summary.Timeline[0].Type, summary.Timeline[0].Actor));
            Assert.Equal(summary.Timeline.OrderByDescending(t => t.At).Select(t => t.At), summary.Timeline.Select(t => t.At));
            Assert.Equal(summary.Timeline.Count, summary.TimelineTotal);
            Assert.Contains(summary.Timeline, t => t.Type == "created");
        }
        finally
        {
            await fx.Db.ExecuteAsync("DELETE FROM oms_event_timeline WHERE entry_type = 'note'");
        }
    }

    [Fact]
    public async Task GetSummary_Unknown_IsNull()
    {
        Assert.Null(await Queries.GetSummaryAsync(Guid.NewGuid().ToString()));
        Assert.Null(await Queries.GetSummaryAsync("OUT-19990101-0001"));
    }

    [Fact]
    public async Task GetSummary_MergedOutage_NamesTheSurvivorsEventId()
    {
        var merged = await fx.InsertOutageAsync("OUT-20261127-0900", Fuse, "fuse", Fixture.T0, status: "merged");
        try
        {
            await fx.Db.ExecuteAsync($"UPDATE oms_outage_events SET merged_into_id = '{fx.FuseOutage}' WHERE id = '{merged}'");

            var summary = await Queries.GetSummaryAsync(merged.ToString());

            Assert.Equal((fx.FuseOutage, fx.FuseEventId), (summary!.Outage.MergedIntoId, summary.MergedIntoEventId));
        }
        finally
        {
            await fx.Db.ExecuteAsync($"DELETE FROM oms_outage_events WHERE id = '{merged}'");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    public async Task GetCustomers_PagedBelowTheFuse_ReturnsEveryCustomerBelowExactlyOnce(int pageSize)
    {
        var expected = fx.TransformerOf.Where(c => fx.IsBelow(c.Value, Fuse)).Select(c => c.Key).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);

        var (seen, total) = await ReadAllCustomersAsync(new CustomerQuery(fx.FuseOutage, Fuse, "fuse", Limit: pageSize));

        Assert.Equal(expected.Count, total);
        Assert.Equal(expected, seen.Select(c => c.Id));
        // Whoever reported in this outage is marked so; their meter is the one that gasped.
        long gasped = await fx.Db.ScalarAsync<long>($"SELECT count(DISTINCT customer_id) FROM oms_event_sources WHERE outage_event_id = '{fx.FuseOutage}'");
        Assert.Equal(gasped, seen.Count(c => c.ReportedBy.SequenceEqual(["kaifa"]) && c.FirstReportedAt is not null));
        Assert.All(seen, c => Assert.NotNull(c.MeterId));
    }

    [Fact]
    public async Task GetCustomers_FeederOutage_PagesThroughTheWholeFeederOnceInIdOrder()
    {
        var outage = await fx.InsertOutageAsync("OUT-20261127-0901", Feeder, "feeder", Fixture.T0.AddHours(1));
        try
        {
            var (seen, total) = await ReadAllCustomersAsync(new CustomerQuery(outage, Feeder, "feeder", Limit: 250));

            Assert.Equal(fx.TransformerOf.Count, total);
            Assert.Equal(fx.TransformerOf.Keys.Order(StringComparer.Ordinal), seen.Select(c => c.Id));
        }
        finally
        {
            await fx.Db.ExecuteAsync($"DELETE FROM oms_outage_events WHERE id = '{outage}'");
        }
    }

    [Fact]
    public async Task GetCustomers_SearchByAccount_FindsOnlyMatchingCustomersBelow()
    {
        var below = await ReadAllCustomersAsync(new CustomerQuery(fx.FuseOutage, Fuse, "fuse", Limit: 1000));
        var target = below.Items[below.Items.Count / 2];
        string part = target.AccountNumber[^4..];

        var found = await Queries.GetCustomersAsync(new CustomerQuery(fx.FuseOutage, Fuse, "fuse", Account: part, Limit: 50, WithTotal: true));

        Assert.Contains(found.Items, c => c.Id == target.Id);
        Assert.All(found.Items, c => Assert.Contains(part, c.AccountNumber, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(below.Items.Count(c => c.AccountNumber.Contains(part, StringComparison.OrdinalIgnoreCase)), found.Total);
        // A LIKE wildcard typed by an operator is a character, not "anything".
        Assert.Empty((await Queries.GetCustomersAsync(new CustomerQuery(fx.FuseOutage, Fuse, "fuse", Account: "%"))).Items);
    }

    [Fact]
    public async Task GetCustomers_TransformerAndServiceOutages_ScopeToTheirOwnCustomers()
    {
        var (customer, transformer) = fx.TransformerOf.First(c => fx.IsBelow(c.Value, Fuse));

        var ofTransformer = await Queries.GetCustomersAsync(new CustomerQuery(fx.FuseOutage, transformer, "transformer", Limit: 500, WithTotal: true));
        var ofService = await Queries.GetCustomersAsync(new CustomerQuery(fx.FuseOutage, customer, "service", WithTotal: true));

        Assert.Equal(fx.TransformerOf.Where(c => c.Value == transformer).Select(c => c.Key).Order(StringComparer.Ordinal), ofTransformer.Items.Select(c => c.Id));
        Assert.Equal([customer], ofService.Items.Select(c => c.Id));
        Assert.Equal(1, ofService.Total);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(25)]
    public async Task GetEvidence_Paged_ReturnsEverySignalOnceNewestFirst(int pageSize)
    {
        var rows = new List<EvidenceRow>();
        EvidenceCursor? after = null;
        for (int guard = 0; guard < 1000; guard++)
        {
            var page = await Queries.GetEvidenceAsync(fx.FuseOutage, after: after, limit: pageSize);
            Assert.True(page.Items.Count <= pageSize);
            rows.AddRange(page.Items);
            if (!page.HasMore)
            {
                break;
            }
            after = EvidenceCursor.After(page.Items[^1]);
        }

        Assert.Equal(fx.Gasps, rows.Count);
        Assert.Equal(fx.Gasps, rows.Select(r => r.SourceId).Distinct().Count());
        Assert.All(rows, r => Assert.StartsWith("KF-", r.SourceId, StringComparison.Ordinal));
        Assert.Equal(rows.OrderByDescending(r => r.OccurredAt).ThenByDescending(r => r.Id).Select(r => r.Id), rows.Select(r => r.Id));
        Assert.All(rows, r => Assert.NotNull(r.AccountNumber));
    }

    [Fact]
    public async Task GetEvidence_OneSource_OnlyThatSource()
    {
        Assert.Equal(fx.Gasps, (await Queries.GetEvidenceAsync(fx.FuseOutage, "kaifa", limit: 500)).Items.Count);
        Assert.Empty((await Queries.GetEvidenceAsync(fx.FuseOutage, "callcenter")).Items);
    }

    [Fact]
    public async Task GetArea_FuseOutage_LinesAndCustomersBelowTheFuseOnly()
    {
        int below = fx.TransformerOf.Count(c => fx.IsBelow(c.Value, Fuse));

        var area = await Queries.GetAreaAsync(fx.FuseOutage, Fuse, "fuse", maxCustomers: 5);

        Assert.Equal(below, area.CustomersBelow);
        Assert.Equal(5, area.Customers.Count);
        // Those that reported come first when not all fit.
        Assert.All(area.Customers, c => Assert.True(c.Reported));
        int nodesBelow = fx.Parents.Keys.Count(n => fx.IsBelow(n, Fuse));
        Assert.Equal(nodesBelow, area.Segments.Count);
    }

    [Fact]
    public async Task ListAfter_ActiveOutagesPagedByKeyset_SameRowsAndOrderAsTheNumberedList()
    {
        var ids = new List<Guid>();
        for (int i = 0; i < 6; i++)
        {
            // Two share a first-detected time: the event id breaks the tie.
            ids.Add(await fx.InsertOutageAsync($"OUT-20261128-{i:0000}", Fuse, "fuse", Fixture.T0.AddHours(2).AddMinutes(i / 2 * 5),
                status: i == 3 ? "restored" : "probable"));
        }
        try
        {
            var queries = new OutageQueries(fx.Db.DataSource);
            var expected = (await queries.ListAsync(new OutageFilter("active", PageSize: 1000))).Items.Select(o => o.EventId).ToList();
            var keyset = new List<string>();
            OutageCursor? after = null;
            while (true)
            {
                var page = await queries.ListAfterAsync(new OutageFilter("active"), after, 2);
                keyset.AddRange(page.Select(o => o.EventId));
                if (page.Count < 2)
                {
                    break;
                }
                after = OutageCursor.After(page[^1]);
            }

            Assert.Equal(expected, keyset);
            Assert.Equal(6, keyset.Count); // five inserted active ones and the fuse outage
            Assert.DoesNotContain("OUT-20261128-0003", keyset);
        }
        finally
        {
            await fx.Db.ExecuteAsync($"DELETE FROM oms_outage_events WHERE id IN ({string.Join(',', ids.Select(i => $"'{i}'"))})");
        }
    }

    private async Task<(List<AffectedCustomer> Items, long? Total)> ReadAllCustomersAsync(CustomerQuery first)
    {
        var all = new List<AffectedCustomer>();
        long? total = null;
        var query = first with { WithTotal = true };
        for (int guard = 0; guard < 10_000; guard++)
        {
            var page = await Queries.GetCustomersAsync(query);
            total ??= page.Total;
            Assert.True(page.Items.Count <= query.Limit);
            all.AddRange(page.Items);
            if (!page.HasMore)
            {
                break;
            }
            query = query with { After = page.Items[^1].Id, WithTotal = false };
        }
        return (all, total);
    }
}
