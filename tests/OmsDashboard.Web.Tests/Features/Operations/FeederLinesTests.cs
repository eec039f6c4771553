using System.IO.Compression;
using System.Text;
using System.Text.Json;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Tests.Infrastructure;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>The outage map's background as the browser fetches it, read from a database holding both demo feeders.</summary>
public sealed class FeederLinesTests(DemoNetworkDatabase db) : IClassFixture<DemoNetworkDatabase>
{
    private static string Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task GetAsync_DemoNetwork_EverySegmentOfBothFeedersFlatAndGzipped()
    {
        var topology = new TopologyQueries(db.DataSource);
        var expected = await topology.GetFeederGeometryAsync(FeederLines.MaxFeeders);
        var lines = new FeederLines(topology, new ManualTime(Now));

        var doc = await lines.GetAsync();

        using var json = JsonDocument.Parse(doc.Json);
        var feeders = json.RootElement.GetProperty("feeders").EnumerateArray().ToList();
        Assert.Equal([IeeeFeeder, EpriFeeder], feeders.Select(f => f.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        foreach (var feeder in feeders)
        {
            var geometry = expected.Single(g => g.Id == feeder.GetProperty("id").GetString());
            double[] flat = [.. feeder.GetProperty("segments").EnumerateArray().Select(v => v.GetDouble())];
            // Four numbers per segment, in order, rounded to 6 decimals.
            Assert.Equal(geometry.Segments.Count * 4, flat.Length);
            Assert.True(geometry.Segments.Count >= 818);
            Assert.Equal(geometry.Segments.SelectMany(s => s).Select(v => Math.Round(v, 6)), flat);
        }
        Assert.Equal(Encoding.UTF8.GetString(doc.Json), Gunzip(doc.Gzip));
        Assert.True(doc.Gzip.Length < doc.Json.Length / 2, $"gzip {doc.Gzip.Length} bytes of {doc.Json.Length}");
        Assert.Matches("^\"[0-9A-F]{24}\"$", doc.ETag);
    }

    [Fact]
    public async Task GetAsync_WithinTheLifetime_ServesTheSameRead_ThenReadsAgain()
    {
        var time = new ManualTime(Now);
        var lines = new FeederLines(new TopologyQueries(db.DataSource), time);

        var first = await lines.GetAsync();
        time.Advance(FeederLines.Lifetime - TimeSpan.FromSeconds(1));
        var cached = await lines.GetAsync();
        time.Advance(TimeSpan.FromSeconds(2));
        var again = await lines.GetAsync();

        Assert.Same(first, cached);
        Assert.NotSame(first, again);
        Assert.Equal(time.Now, again.MadeAt);
        Assert.Equal(first.ETag, again.ETag); // same network, same content
    }
}
