using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using OmsDashboard.Data.Queries;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Web.Features.Outages;

namespace OmsDashboard.Web.Tests.Features.Outages;

/// <summary>
/// The explanation panel and the device path on explanations written the way the correlation pass
/// stores them (the engine's record serialised with the web defaults), no database needed.
/// </summary>
public sealed class ExplanationPanelTests : IDisposable
{
    private readonly BunitContext _ctx = new();

    public ExplanationPanelTests()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
    }

    public void Dispose() => _ctx.Dispose();

    /// <summary>As CorrelationPass stores it: <c>JsonSerializer.Serialize(explanation, new(JsonSerializerDefaults.Web))</c>.</summary>
    private static JsonElement Stored(OutageExplanation explanation) =>
        JsonDocument.Parse(JsonSerializer.Serialize(explanation, new JsonSerializerOptions(JsonSerializerDefaults.Web))).RootElement.Clone();

    private static ConfidencePart Part(SourceSystem source, int signals, double weight)
    {
        double exponent = 1 + Math.Log2(signals);
        return new ConfidencePart(source, signals, weight, exponent, 1 - Math.Pow(1 - weight, exponent));
    }

    private static OutageExplanation RollUp(int live = 0, double? split = 9.5, double? parentCost = 14.2) => new(
        "roll_up", ["FUS:LN5985355-3", "SW:LN6201670-1", "FDR:LN5815900-1", "SUB:HVMV_Sub"], 40, 30, live, 10 - live, 5.1, split, parentCost,
        [Part(SourceSystem.Callcenter, 3, 0.4), Part(SourceSystem.Kaifa, 27, 0.8)], "standard",
        "FUS:LN5985355-3 (fuse) explains 30 customers reporting out of 40 below it. Confidence 1.00 from 27 kaifa, 3 callcenter.");

    [Fact]
    public void ExplanationPanel_RollUp_ShowsTheWordsEachSourcesPartAndTheCombinedConfidence()
    {
        var view = OutageExplanationView.From(Stored(RollUp()), "FUS:LN5985355-3");

        var cut = _ctx.Render<ExplanationPanel>(p => p.Add(x => x.Explanation, view).Add(x => x.Confidence, 1.0m));

        Assert.StartsWith("FUS:LN5985355-3 (fuse) explains 30 customers", cut.Find("[data-testid=explanation-text]").TextContent, StringComparison.Ordinal);
        var parts = cut.FindAll("[data-testid=confidence-part]");
        // Sources in the screens' order (SCADA, meters, ONUs, calls), whatever order the engine wrote.
        Assert.Equal(["kaifa", "callcenter"], parts.Select(p => p.GetAttribute("data-source")));
        // 1 − 0.2^(1 + log2 27) = 99.99 % (not rounded up to a certainty); 1 − 0.6^(1 + log2 3) = 73.3 %.
        Assert.Equal(["> 99.9 %", "73 %"], parts.Select(p => p.QuerySelector("[data-testid=confidence-part-value]")!.TextContent.Trim()));
        Assert.Contains("27 meter last gasps · weight 0.80 · exponent 1 + log₂ 27 = 5.75", parts[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("3 calls · weight 0.40 · exponent 1 + log₂ 3 = 2.58", parts[1].TextContent, StringComparison.Ordinal);
        Assert.Equal("> 99.9 %", cut.Find("[data-testid=confidence-combined]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=confidence-kept]"));
    }

    [Fact]
    public void ExplanationPanel_RollUpWithLiveCustomers_ListsWhichRulesFiredWithTheirNumbers()
    {
        var view = OutageExplanationView.From(Stored(RollUp(live: 2)), "FUS:LN5985355-3");

        var cut = _ctx.Render<ExplanationPanel>(p => p.Add(x => x.Explanation, view));

        var rules = cut.FindAll("[data-testid=rule]").ToDictionary(r => r.GetAttribute("data-rule")!);
        Assert.Equal(["lockout", "n_of_m", "percentage", "children_out", "negative_evidence"], rules.Keys);
        Assert.Equal("false", rules["lockout"].GetAttribute("data-fired"));
        Assert.Equal("true", rules["n_of_m"].GetAttribute("data-fired"));
        Assert.Contains("30 of 40 customers below LN5985355-3 report no power", rules["n_of_m"].TextContent, StringComparison.Ordinal);
        Assert.Contains("75 %", rules["percentage"].TextContent, StringComparison.Ordinal);
        Assert.Equal("true", rules["children_out"].GetAttribute("data-fired"));
        Assert.Contains("would cost 9.5 against 5.1", rules["children_out"].TextContent, StringComparison.Ordinal);
        Assert.Equal("true", rules["negative_evidence"].GetAttribute("data-fired"));
        Assert.Contains("2 customers below LN5985355-3 report power", rules["negative_evidence"].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplanationPanel_ScadaLockout_LockoutFiresAndTheStoredConfidenceIsKeptWhenHigher()
    {
        var lockout = new OutageExplanation("scada_lockout", ["RCL:LN5587291-1", "FDR:LN5815900-1", "SUB:HVMV_Sub"], 300, 12, 0, 288, double.NaN, null, null,
            [Part(SourceSystem.Scada, 1, 1.0)], "storm", "SCADA reports RCL:LN5587291-1 open: everything below it is out (300 customers).");
        // The engine never writes NaN (it would not serialise): the pass stores what it can.
        var json = Stored(lockout with { ChosenCost = 0 });
        var view = OutageExplanationView.From(json, "RCL:LN5587291-1");

        var cut = _ctx.Render<ExplanationPanel>(p => p.Add(x => x.Explanation, view).Add(x => x.Confidence, 1.0m));

        var lockoutRule = cut.Find("[data-rule=lockout]");
        Assert.Equal("true", lockoutRule.GetAttribute("data-fired"));
        Assert.Contains("SCADA reports LN5587291-1 open", lockoutRule.TextContent, StringComparison.Ordinal);
        Assert.True(view!.IsStorm);
        Assert.Equal(["scada"], cut.FindAll("[data-testid=confidence-part]").Select(p => p.GetAttribute("data-source")));

        // Confidence never falls: when today's parts add up to less, the page says which figure the outage keeps.
        var callsOnly = RollUp() with { Confidence = [Part(SourceSystem.Callcenter, 3, 0.4)] };
        var kept = _ctx.Render<ExplanationPanel>(p => p.Add(x => x.Explanation, OutageExplanationView.From(Stored(callsOnly), null)).Add(x => x.Confidence, 0.9m));
        Assert.Equal("73 %", kept.Find("[data-testid=confidence-combined]").TextContent.Trim());
        Assert.Contains("90 %", kept.Find("[data-testid=confidence-kept]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplanationPanel_NoExplanation_SaysSoInsteadOfAnEmptyPanel()
    {
        var cut = _ctx.Render<ExplanationPanel>(p => p.Add(x => x.Explanation, OutageExplanationView.From(null, "FUS:X")));

        Assert.Single(cut.FindAll("[data-testid=explanation-none]"));
    }

    [Fact]
    public void DevicePath_FromDeviceToSubstation_InThatOrderWithKindsAndPhase()
    {
        PathNode[] path =
        [
            new("FUS:LN5985355-3", "fuse", "LN5985355-3", "A", false, 34.01, -117.02),
            new("SW:LN6201670-1", "switch", "LN6201670-1", null, false, 34.02, -117.03),
            new("RCL:LN5587291-1", "recloser", "LN5587291-1", "ABC", true, 34.03, -117.04),
            new("FDR:LN5815900-1", "feeder", "Feeder 1", null, true, 34.04, -117.05),
            new("SUB:HVMV_Sub", "substation", "HVMV substation", null, false, 34.05, -117.06),
        ];

        var cut = _ctx.Render<DevicePath>(p => p.Add(x => x.Path, path));

        // The plain switch folds away: the device, what protects it, the feeder and the substation remain, in order.
        Assert.Equal(["FUS:LN5985355-3", "RCL:LN5587291-1", "FDR:LN5815900-1", "SUB:HVMV_Sub"],
            cut.FindAll("[data-testid=path-step]").Select(s => s.GetAttribute("data-node-id")));
        Assert.Equal("+ 1 switch", cut.Find("[data-testid=path-fold]").TextContent.Trim());
        cut.Find("[data-testid=path-fold]").Click();

        var steps = cut.FindAll("[data-testid=path-step]");
        Assert.Empty(cut.FindAll("[data-testid=path-fold]"));
        Assert.Equal(path.Select(n => n.Id), steps.Select(s => s.GetAttribute("data-node-id")));
        Assert.Equal(["fuse", "switch", "recloser", "feeder", "substation"], steps.Select(s => s.GetAttribute("data-kind")));
        Assert.Contains("oms-path-device", steps[0].ClassList);
        Assert.Contains("phase A", steps[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("recloser · SCADA", steps[2].TextContent, StringComparison.Ordinal);
        Assert.Equal("LN5985355-3", steps[0].QuerySelector(".oms-path-id")!.TextContent.Trim());
        Assert.Equal("FDR:LN5815900-1 · Feeder 1", steps[3].GetAttribute("title"));
    }
}
