using OmsDashboard.Web.Features.Operations;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>The map's outages: kept up to a list of rows that is replaced, never edited.</summary>
public sealed class MapOutagesTests
{
    private readonly MapOutages _outages = new();

    private static OutageRow[] Rows(int n) =>
        [.. Enumerable.Range(1, n).Select(i => Row($"OUT-20261127-{i:0000}", Now.AddSeconds(-i), lat: 34.0 + i * 0.0001))];

    [Fact]
    public void Update_FirstList_TakesEveryLocatedRow()
    {
        var rows = Rows(3).Append(Row("OUT-20261127-0099", Now, lat: null, lon: null)).ToArray();

        _outages.Update(rows);

        Assert.Equal(["OUT-20261127-0001", "OUT-20261127-0002", "OUT-20261127-0003"], _outages.All.Select(o => o.Row.EventId).Order(StringComparer.Ordinal));
        Assert.Equal((3, 3), (_outages.Count, _outages.ChangedLastUpdate));
        var first = _outages.All.Single(o => o.Row.EventId == "OUT-20261127-0001");
        Assert.Equal((WebMercator.X(-117.02), WebMercator.Y(34.0001)), (first.X, first.Y));
    }

    [Fact]
    public void Update_SameRowsAgain_ChangesNothingAndKeepsTheMarkers()
    {
        var rows = Rows(1000);
        _outages.Update(rows);
        var marker = _outages[rows[10].Id];

        _outages.Update([.. rows]);

        // Rows are replaced, not edited: the same instances need nothing new, not even a marker.
        Assert.Equal(0, _outages.ChangedLastUpdate);
        Assert.Same(marker, _outages[rows[10].Id]);
    }

    [Fact]
    public void Update_OneRowReplaced_OnlyItChanges()
    {
        var rows = Rows(1000);
        _outages.Update(rows);
        var untouched = _outages[rows[499].Id];
        var next = (OutageRow[])rows.Clone();
        next[500] = rows[500] with { Status = "unconfirmed", Customers = 7 };

        _outages.Update(next);

        Assert.Equal(1, _outages.ChangedLastUpdate);
        var marker = _outages[rows[500].Id]!;
        Assert.Equal((rows[500].EventId, "unconfirmed", OutageMarker.RadiusFor(7)), (marker.EventId, marker.Status, marker.Radius));
        Assert.Same(untouched, _outages[rows[499].Id]);
    }

    [Fact]
    public void Update_RowGoneOrLostItsLocation_TakesItAway()
    {
        var rows = Rows(3);
        _outages.Update(rows);

        _outages.Update([rows[0] with { Lat = null }, rows[2]]);

        Assert.Equal([rows[2].Id], _outages.All.Select(o => o.Row.Id));
        Assert.Equal(2, _outages.ChangedLastUpdate);
        Assert.Null(_outages[rows[1].Id]);

        // Back with a location: on the map again.
        _outages.Update([rows[0], rows[2]]);
        Assert.Equal(2, _outages.Count);
        Assert.Equal(rows[0].EventId, _outages[rows[0].Id]!.EventId);
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
