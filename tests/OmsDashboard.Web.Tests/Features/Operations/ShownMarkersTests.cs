using OmsDashboard.Web.Features.Operations;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>The map's diff: what to send the browser when the list of rows changes.</summary>
public sealed class ShownMarkersTests
{
    private readonly ShownMarkers _shown = new();

    private static OutageRow[] Rows(int n) =>
        [.. Enumerable.Range(1, n).Select(i => Row($"OUT-20261127-{i:0000}", Now.AddSeconds(-i)))];

    [Fact]
    public void Diff_FirstList_SendsEveryLocatedRow()
    {
        var rows = Rows(3).Append(Row("OUT-20261127-0099", Now, lat: null, lon: null)).ToArray();

        var (upserts, removals) = _shown.Diff(rows);

        Assert.Equal(["OUT-20261127-0001", "OUT-20261127-0002", "OUT-20261127-0003"], upserts.Select(m => m.EventId));
        Assert.Empty(removals);
        Assert.Equal(3, _shown.Count);
    }

    [Fact]
    public void Diff_SameRowsAgain_BuildsAndSendsNothing()
    {
        var rows = Rows(1000);
        _shown.Diff(rows);

        var (upserts, removals) = _shown.Diff([.. rows]);

        Assert.Empty(upserts);
        Assert.Empty(removals);
        // Rows are replaced, not edited: the same instances need no new marker at all.
        Assert.Equal(0, _shown.BuiltLastDiff);
    }

    [Fact]
    public void Diff_OneRowReplaced_BuildsOnlyThatMarkerAndSendsIt()
    {
        var rows = Rows(1000);
        _shown.Diff(rows);
        var next = (OutageRow[])rows.Clone();
        next[500] = rows[500] with { Status = "unconfirmed", Customers = 7 };

        var (upserts, removals) = _shown.Diff(next);

        var sent = Assert.Single(upserts);
        Assert.Equal((rows[500].EventId, "unconfirmed", OutageMarker.RadiusFor(7)), (sent.EventId, sent.Status, sent.Radius));
        Assert.Empty(removals);
        Assert.Equal(1, _shown.BuiltLastDiff);
        Assert.Same(sent, _shown[rows[500].Id]);
    }

    [Fact]
    public void Diff_RowReplacedWithNothingTheMarkerShows_SendsNothing()
    {
        var rows = Rows(2);
        _shown.Diff(rows);

        // Evidence counts and ETR are in the grid, not on the marker.
        var (upserts, removals) = _shown.Diff([rows[0] with { Kaifa = 99, Etr = Now.AddHours(2) }, rows[1]]);

        Assert.Empty(upserts);
        Assert.Empty(removals);
    }

    [Fact]
    public void Diff_RowGoneOrLostItsLocation_TakesItsMarkerAway()
    {
        var rows = Rows(3);
        _shown.Diff(rows);

        var (upserts, removals) = _shown.Diff([rows[0] with { Lat = null }, rows[2]]);

        Assert.Empty(upserts);
        Assert.Equal(new[] { rows[0].Id.ToString("D"), rows[1].Id.ToString("D") }.Order(StringComparer.Ordinal), removals.Order(StringComparer.Ordinal));
        Assert.Equal(1, _shown.Count);

        // Back with a location: sent again.
        var (again, _) = _shown.Diff([rows[0], rows[2]]);
        Assert.Equal([rows[0].EventId], again.Select(m => m.EventId));
    }

    [Fact]
    public void OutageMarkerJson_WritesTheArrayOutageMapJsReads()
    {
        var marker = new OutageMarker("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "OUT-20261127-0002", 34.0212345678, -117.0098765432, "critical", "probable",
            1177, 22.7, true, "OUT-20261127-0002 · fuse LN5985355-3 · 1,177 customers · WIRE DOWN", "/outages/3f2504e0-4f89-11d3-9a0c-0305e82c3301");

        string json = OutageMarkerJson.Serialize([marker]);

        // [id, eventId, lat, lon, severity, status, radius, hazard, tooltip, url]: markerFrom in wwwroot/js/outageMap.js.
        Assert.Equal(
            """[["3f2504e0-4f89-11d3-9a0c-0305e82c3301","OUT-20261127-0002",34.021235,-117.009877,"critical","probable",22.7,1,"OUT-20261127-0002 \u00B7 fuse LN5985355-3 \u00B7 1,177 customers \u00B7 WIRE DOWN","/outages/3f2504e0-4f89-11d3-9a0c-0305e82c3301"]]""",
            json);
        Assert.Equal(marker with { Lat = 34.021235, Lon = -117.009877, Customers = 0 }, Assert.Single(OutageMarkerJson.Deserialize(json)));
    }
}
