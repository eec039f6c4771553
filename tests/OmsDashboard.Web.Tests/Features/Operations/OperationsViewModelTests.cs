using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Realtime;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>The Operations page's state, without a renderer.</summary>
public sealed class OperationsViewModelTests
{
    private readonly ManualTime _time = new(Now);
    private readonly OperationsViewModel _model;

    public OperationsViewModelTests() => _model = new OperationsViewModel(_time);

    private void Load(params OutageItem[] outages) =>
        _model.Load(outages, new KpiSnapshot(outages.Length, outages.Sum(o => o.AffectedCustomers)), new StormUpdate(false, null, "", "standard"));

    [Fact]
    public void Load_ActiveAndRestoredOutages_KeepsOnlyTheActiveNewestFirst()
    {
        Load(
            Outage("OUT-20261127-0001", Now.AddMinutes(-30)),
            Outage("OUT-20261127-0002", Now.AddMinutes(-5), status: "unconfirmed"),
            Outage("OUT-20261127-0003", Now.AddMinutes(-60), status: "restored"),
            Outage("OUT-20261127-0004", Now.AddMinutes(-10), status: "probable"));

        Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0004", "OUT-20261127-0001"], _model.Rows.Select(r => r.EventId));
        Assert.Equal(3, _model.ActiveCount);
        Assert.Equal((1, 1, 1), (_model.CountOf("unconfirmed"), _model.CountOf("probable"), _model.CountOf("confirmed")));
    }

    [Fact]
    public void Rows_SameFirstDetection_NewerEventIdFirst()
    {
        Load(Outage("OUT-20261127-0007", Now), Outage("OUT-20261127-0009", Now), Outage("OUT-20261127-0008", Now));

        Assert.Equal(["OUT-20261127-0009", "OUT-20261127-0008", "OUT-20261127-0007"], _model.Rows.Select(r => r.EventId));
    }

    [Fact]
    public void Apply_Created_InsertsTheRowInDateOrder()
    {
        Load(Outage("OUT-20261127-0001", Now.AddMinutes(-30)), Outage("OUT-20261127-0002", Now.AddMinutes(-5)));
        var created = Outage("OUT-20261127-0003", Now.AddMinutes(-10), status: "unconfirmed");

        var changes = _model.Apply([Update(created, "created")]);

        Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0003", "OUT-20261127-0001"], _model.Rows.Select(r => r.EventId));
        Assert.Equal(created.Id, Assert.Single(changes.Upserted).Id);
        Assert.Empty(changes.Removed);
        Assert.Equal(1, _model.CountOf("unconfirmed"));
    }

    [Fact]
    public void Apply_Updated_ReplacesTheRowInPlace()
    {
        var outage = Outage("OUT-20261127-0001", Now.AddMinutes(-30), status: "unconfirmed", customers: 12, severity: "low");
        Load(outage, Outage("OUT-20261127-0002", Now.AddMinutes(-5)));
        var before = _model.Rows;

        _model.Apply([Update(outage with { Status = "confirmed", AffectedCustomers = 380, Severity = "high", HasHazard = true }, "updated")]);

        var row = Assert.Single(_model.Rows, r => r.Id == outage.Id);
        Assert.Equal(("confirmed", 380, "high", true), (row.Status, row.Customers, row.Severity, row.HasHazard));
        Assert.Equal(2, _model.Rows.Count);
        Assert.Equal((0, 2), (_model.CountOf("unconfirmed"), _model.CountOf("confirmed")));
        // A new list per change: components see a new parameter and re-render.
        Assert.NotSame(before, _model.Rows);
    }

    [Theory]
    [InlineData("restored", "restored")]
    [InlineData("merged", "merged")]
    [InlineData("cancelled", "cancelled")]
    [InlineData("momentary", "momentary")]
    [InlineData("updated", "restored")]
    public void Apply_OutageLeavesTheActiveList_RemovesTheRow(string change, string status)
    {
        var leaving = Outage("OUT-20261127-0001", Now.AddMinutes(-30));
        Load(leaving, Outage("OUT-20261127-0002", Now.AddMinutes(-5)));

        var changes = _model.Apply([Update(leaving with { Status = status }, change)]);

        Assert.Equal(["OUT-20261127-0002"], _model.Rows.Select(r => r.EventId));
        Assert.Equal([leaving.Id], changes.Removed);
        Assert.Empty(changes.Upserted);
        Assert.Equal(1, _model.CountOf("confirmed"));
    }

    [Fact]
    public void Apply_RestoredOutageNeverShown_ChangesNothing()
    {
        Load(Outage("OUT-20261127-0002", Now.AddMinutes(-5)));
        var before = _model.Rows;

        var changes = _model.Apply([Update(Outage("OUT-20261127-0001", Now.AddMinutes(-30), status: "restored"), "restored")]);

        Assert.Empty(changes.Removed);
        Assert.Same(before, _model.Rows);
    }

    [Fact]
    public void Apply_BatchCreatedThenMergedIntoAnother_AppliesInOrder()
    {
        var child = Outage("OUT-20261127-0001", Now.AddMinutes(-3), status: "unconfirmed");
        var parent = Outage("OUT-20261127-0002", Now.AddMinutes(-4), status: "probable", device: "RCL:LN5587291-1", kind: "recloser");
        Load();

        _model.Apply([Update(child, "created"), Update(parent, "created"), Update(child with { Status = "merged", MergedIntoId = parent.Id }, "merged")]);

        var row = Assert.Single(_model.Rows);
        Assert.Equal(("OUT-20261127-0002", "LN5587291-1", "recloser"), (row.EventId, row.DeviceText, row.DeviceKind));
    }

    [Fact]
    public void Apply_BeforeLoad_IsHeldThenReplayedOverTheSnapshotInOrder()
    {
        var a = Outage("OUT-20261127-0001", Now.AddMinutes(-10), status: "unconfirmed");
        var b = Outage("OUT-20261127-0002", Now.AddMinutes(-1));
        var c = Outage("OUT-20261127-0003", Now.AddMinutes(-2));

        // Pushed while the page was still reading: b created then restored, a confirmed, c created.
        _model.Apply([Update(b, "created")]);
        _model.Apply([Update(a with { Status = "confirmed" }, "updated"), Update(b with { Status = "restored" }, "restored")]);
        _model.Apply([Update(c, "created")]);
        _model.Apply(Kpis(2, 900, kaifa: 12));
        _model.Apply(new StormUpdate(true, Now, "storm", "storm"));

        Assert.False(_model.IsLoaded);
        Assert.Empty(_model.Rows);
        Assert.Equal(0, _model.CustomersOut);

        // The snapshot was read before b's restoration and c's creation.
        _model.Load([a, b], new KpiSnapshot(2, 50), new StormUpdate(false, null, "", "standard"));

        Assert.True(_model.IsLoaded);
        Assert.Equal(["OUT-20261127-0003", "OUT-20261127-0001"], _model.Rows.Select(r => r.EventId));
        Assert.Equal("confirmed", _model.Rows.Single(r => r.Id == a.Id).Status);
        Assert.Equal(900, _model.CustomersOut);
        Assert.Equal(12, _model.SourceRates.Single(r => r.Source == "kaifa").PerMinute);
        Assert.True(_model.Storm.Active);
    }

    [Fact]
    public void Apply_Kpis_MapsCustomersOutAndEachSourcesRate()
    {
        Load(Outage("OUT-20261127-0001", Now));

        _model.Apply(Kpis(active: 1, customersOut: 1234, scada: 2, kaifa: 1180, onu: 310, calls: 0));

        Assert.Equal(1234, _model.CustomersOut);
        Assert.Equal(
            [("scada", "SCADA", 2, "2"), ("kaifa", "Smart meters", 1180, "1,180"), ("onu", "Fiber ONUs", 310, "310"), ("callcenter", "Calls", 0, "0")],
            _model.SourceRates.Select(r => (r.Source, r.Label, r.PerMinute ?? -1, r.Text)));
        Assert.All(_model.SourceRates, r => Assert.False(r.IsSilent));
    }

    [Fact]
    public void SourceRates_BeforeAnyKpiPush_AreUnknownNotSilent()
    {
        _time.Advance(TimeSpan.FromHours(1));

        Assert.All(_model.SourceRates, r => Assert.Equal((null, "–", false), (r.PerMinute, r.Text, r.IsSilent)));
    }

    [Fact]
    public void SourceRates_ZeroForFiveMinutes_ShowsTheSourceSilentSinceTheFirstZero()
    {
        Load();
        _model.Apply(Kpis(0, 0, scada: 0, kaifa: 5));
        var firstZero = _time.Now;
        _time.Advance(TimeSpan.FromMinutes(4));
        _model.Apply(Kpis(0, 0, scada: 0, kaifa: 0));

        Assert.DoesNotContain(_model.SourceRates, r => r.IsSilent);

        _time.Advance(TimeSpan.FromMinutes(1));

        var scada = _model.SourceRates.Single(r => r.Source == "scada");
        Assert.True(scada.IsSilent);
        Assert.Equal(firstZero, scada.SilentSince);
        // Kaifa's first zero came four minutes later: not silent yet.
        Assert.False(_model.SourceRates.Single(r => r.Source == "kaifa").IsSilent);
    }

    [Fact]
    public void SourceRates_SignalsAgainAfterSilence_IsNoLongerSilent()
    {
        Load();
        _model.Apply(Kpis(0, 0));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.True(_model.SourceRates.Single(r => r.Source == "onu").IsSilent);

        _model.Apply(Kpis(0, 0, onu: 3));

        Assert.False(_model.SourceRates.Single(r => r.Source == "onu").IsSilent);
        _time.Advance(TimeSpan.FromMinutes(1));
        _model.Apply(Kpis(0, 0, onu: 0));
        Assert.False(_model.SourceRates.Single(r => r.Source == "onu").IsSilent);
    }

    [Fact]
    public void SourceRates_SourceMissingFromThePush_IsUnknown()
    {
        Load();
        _model.Apply(new KpiUpdate(0, 0, new Dictionary<string, int> { ["scada"] = 4 }));

        Assert.Equal([4, null, null, null], _model.SourceRates.Select(r => r.PerMinute));
    }

    [Fact]
    public void Apply_Storm_ReplacesTheStormState()
    {
        Load();
        var since = Now.AddMinutes(-42);

        _model.Apply(new StormUpdate(true, since, "130 outage signals in the last hour (threshold 100)", "storm"));

        Assert.Equal(new StormUpdate(true, since, "130 outage signals in the last hour (threshold 100)", "storm"), _model.Storm);
    }

    [Theory]
    [InlineData(0, "<1 min")]
    [InlineData(59, "<1 min")]
    [InlineData(60, "1 min")]
    [InlineData(59 * 60 + 59, "59 min")]
    [InlineData(3600, "1 h 00 min")]
    [InlineData(3 * 3600 + 5 * 60, "3 h 05 min")]
    [InlineData(26 * 3600 + 10 * 60, "1 d 2 h")]
    [InlineData(-30, "<1 min")]
    [InlineData(-(21 * 3600 + 4 * 60), "in 21 h 04 min")]
    public void AgeOf_SecondsSinceFirstDetected_IsShortText(int seconds, string expected)
    {
        var row = Row("OUT-20261127-0001", Now.AddSeconds(-seconds));

        Assert.Equal(expected, _model.AgeOf(row));
    }

    [Fact]
    public void AgeOf_ClockMoves_FollowsTheTimeProvider()
    {
        var row = Row("OUT-20261127-0001", Now.AddMinutes(-5));
        Assert.Equal("5 min", _model.AgeOf(row));

        _time.Advance(TimeSpan.FromMinutes(70));

        Assert.Equal("1 h 15 min", _model.AgeOf(row));
    }

    [Fact]
    public void OutageRow_FromOutage_FormatsWhatTheGridShows()
    {
        var row = OutageRow.From(Outage("OUT-20261127-0001", Now, customers: 1234, confidence: 0.935m, kaifa: 27, onu: 0, calls: 3));

        Assert.Equal(("94 %", "LN5985355-3", "LN5815900-1", "1,234"), (row.ConfidenceText, row.DeviceText, row.FeederText, row.CustomersText));
        Assert.Equal([("kaifa", 27), ("callcenter", 3)], row.SourceCounts);
        Assert.Equal($"/outages/{row.Id}", row.Url);
        Assert.Equal((1, 2), (row.SeverityRank, row.StatusRank));
    }

    [Theory]
    [InlineData("out-20261127", true)]
    [InlineData("LN5985355", true)]
    [InlineData("fuse", true)]
    [InlineData("fdr:LN5815900", true)]
    [InlineData("confirmed", true)]
    [InlineData("  ", true)]
    [InlineData("recloser", false)]
    [InlineData("critical", false)]
    public void Matches_QuickSearch_LooksInIdsDeviceFeederAndStatus(string text, bool expected) =>
        Assert.Equal(expected, Row("OUT-20261127-0001", Now).Matches(text));
}

/// <summary>
/// The view-model's incremental order: rows moved by binary search as pushes come in must end in
/// exactly the order (and counts) a sort from scratch gives, whatever the pushes do.
/// </summary>
public sealed class OperationsViewModelOrderTests
{
    private static readonly string[] Statuses = ["unconfirmed", "probable", "confirmed"];
    private readonly OperationsViewModel _model = new(new ManualTime(Now));
    private readonly Dictionary<Guid, OutageItem> _expected = [];
    private readonly Random _random = new(20261127);
    private int _next;

    private OutageItem NewOutage() =>
        // Few distinct times: many rows tie on first detection and are ordered by event id.
        Outage($"OUT-20261127-{++_next:0000}", Now.AddMinutes(-_random.Next(0, 40)), status: Statuses[_random.Next(3)]);

    /// <summary>A batch of created, changed (time, event id, status) and leaving outages, applied to the expected set too.</summary>
    private List<OutageUpdate> Batch(int size)
    {
        var batch = new List<OutageUpdate>();
        for (int i = 0; i < size; i++)
        {
            var ids = _expected.Keys.ToList();
            int what = ids.Count == 0 ? 0 : _random.Next(4);
            OutageItem item;
            string change;
            if (what == 0)
            {
                item = NewOutage();
                change = "created";
            }
            else
            {
                var before = _expected[ids[_random.Next(ids.Count)]];
                (item, change) = what switch
                {
                    1 => (before with { FirstDetectedAt = Now.AddMinutes(-_random.Next(0, 40)) }, "updated"),
                    2 => (before with { Status = Statuses[_random.Next(3)], AffectedCustomers = before.AffectedCustomers + 1 }, "updated"),
                    _ => (before with { Status = "restored" }, "restored"),
                };
            }
            if (OperationsViewModel.IsActive(item.Status))
            {
                _expected[item.Id] = item;
            }
            else
            {
                _expected.Remove(item.Id);
            }
            batch.Add(Update(item, change));
        }
        return batch;
    }

    private void AssertSameAsASortFromScratch()
    {
        var expected = _expected.Values
            .OrderByDescending(o => o.FirstDetectedAt).ThenByDescending(o => o.EventId, StringComparer.Ordinal)
            .Select(o => o.EventId).ToList();
        Assert.Equal(expected, _model.Rows.Select(r => r.EventId));
        foreach (string status in Statuses)
        {
            Assert.Equal(_expected.Values.Count(o => o.Status == status), _model.CountOf(status));
        }
        Assert.Equal(_expected.Count, _model.ActiveCount);
    }

    [Fact]
    public void Apply_ManySmallBatches_KeepsTheOrderAndCountsOfASortFromScratch()
    {
        var start = Enumerable.Range(0, 300).Select(_ => NewOutage()).ToList();
        start.ForEach(o => _expected[o.Id] = o);
        _model.Load(start, new KpiSnapshot(start.Count, 0), new StormUpdate(false, null, "", "standard"));
        AssertSameAsASortFromScratch();

        for (int round = 0; round < 200; round++)
        {
            _model.Apply(Batch(_random.Next(1, 12)));
            AssertSameAsASortFromScratch();
        }
    }

    [Fact]
    public void Apply_BatchLargerThanTheResortThreshold_KeepsTheOrderAndCounts()
    {
        var start = Enumerable.Range(0, 2000).Select(_ => NewOutage()).ToList();
        start.ForEach(o => _expected[o.Id] = o);
        _model.Load(start, new KpiSnapshot(start.Count, 0), new StormUpdate(false, null, "", "standard"));

        _model.Apply(Batch(OperationsViewModel.ResortAbove + 500));
        AssertSameAsASortFromScratch();
        _model.Apply(Batch(5));
        AssertSameAsASortFromScratch();
    }

    [Fact]
    public void Rows_NoChange_SameList_Change_NewList()
    {
        var outage = Outage("OUT-20261127-0001", Now);
        _model.Load([outage], new KpiSnapshot(1, 0), new StormUpdate(false, null, "", "standard"));
        var first = _model.Rows;

        Assert.Same(first, _model.Rows);
        _model.Apply([Update(Outage("OUT-20261127-0099", Now), "restored")]); // not in the list: nothing changes
        Assert.Same(first, _model.Rows);
        _model.Apply([Update(outage with { AffectedCustomers = 7 }, "updated")]);
        Assert.NotSame(first, _model.Rows);
        Assert.Equal(7, Assert.Single(_model.Rows).Customers);
    }
}
