using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Data.Ingestion;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Realtime;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>The live signal ticker: what it keeps, what it pins, and how the strip shows it.</summary>
public sealed class SignalTickerTests(EmptyNetworkDatabase db) : IClassFixture<EmptyNetworkDatabase>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 14, 0, 0, TimeSpan.Zero);

    private static IncomingSignal Record(string id, string type, int second, string? asset = null) => new()
    {
        Id = id,
        Type = type,
        OccurredAt = T0.AddSeconds(second),
        ReceivedAt = T0.AddSeconds(second + 40),
        AssetId = asset ?? "MTR-" + id,
    };

    [Fact]
    public void Add_KeepsTheNewestStoredOnes_SkipsDuplicates_AndPinsEveryWireDown()
    {
        var time = new ManualTime(T0.AddMinutes(1));
        var ticker = new SignalTicker(time);
        // A batch of 30: a wire-down early in it (where the list would drop it), a duplicate (not stored).
        var records = Enumerable.Range(0, 30).Select(i => Record($"K{i:00}", i == 2 ? "wire_down" : "last_gasp", i)).ToList();
        var stored = records.Select(r => r.Id).Where(id => id != "K29").ToList();

        ticker.Add(SourceSystem.Kaifa, records, stored);

        var view = ticker.View();
        Assert.Equal(29, view.Total);
        Assert.Equal(SignalTicker.Capacity, view.Latest.Count);
        Assert.Equal("K28", view.Latest[0].Id); // newest first; K29 was a duplicate
        Assert.DoesNotContain(view.Latest, s => s.Id == "K29");
        Assert.All(view.Latest, s => Assert.Equal("kaifa", s.Source));
        var wireDown = Assert.Single(view.WireDowns);
        Assert.Equal("K02", wireDown.Id);

        // Half an hour after it was stored the wire-down is no longer pinned.
        time.Advance(SignalTicker.WireDownPinned);
        Assert.Empty(ticker.View().WireDowns);
    }

    [Fact]
    public async Task Strip_ShowsStoredSignalsLive_WireDownPinnedInFront_AndCoalescesAStorm()
    {
        await using var ctx = new OmsTestContext(db.DataSource);
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var ticker = ctx.Services.GetRequiredService<SignalTicker>();
        var cut = ctx.Render<SignalTickerStrip>();
        Assert.Single(cut.FindAll("[data-testid=ticker-empty]"));

        ticker.Add(SourceSystem.Onu, [Record("O1", "dying_gasp", 0, "ONU-7")], ["O1"]);
        ticker.Add(SourceSystem.Callcenter, [Record("T1", "wire_down", 1, "ACC-42")], ["T1"]);

        cut.WaitForAssertion(() => Assert.Equal("T1", cut.Find("[data-testid=ticker-wire-down]").GetAttribute("data-id")));
        Assert.Contains("WIRE DOWN", cut.Find("[data-testid=ticker-wire-down]").TextContent, StringComparison.Ordinal);
        Assert.Contains("ACC-42", cut.Find("[data-testid=ticker-wire-down]").TextContent, StringComparison.Ordinal);
        var signal = cut.Find("[data-testid=ticker-signal]");
        Assert.Equal("onu", signal.GetAttribute("data-source"));
        Assert.Contains("dying gasp", signal.TextContent, StringComparison.Ordinal);
        // The wire-down comes before any other signal in the strip.
        Assert.Equal("ticker-wire-down", cut.Find("[data-testid=signal-ticker] > span").GetAttribute("data-testid"));
        Assert.Empty(cut.FindAll("[data-testid=ticker-empty]"));

        // A storm: 2,000 stored batches in a burst reach the strip as a handful of renders.
        int before = cut.RenderCount;
        for (int i = 0; i < 2_000; i++) ticker.Add(SourceSystem.Kaifa, [Record($"S{i}", "last_gasp", i)], [$"S{i}"]);
        cut.WaitForAssertion(() => Assert.Equal("S1999", cut.Find("[data-testid=ticker-signal]").GetAttribute("data-id")));
        Assert.InRange(cut.RenderCount - before, 1, 10);
        Assert.Equal(SignalTickerStrip.Shown, cut.FindAll("[data-testid=ticker-signal]").Count);
    }
}
