using Bunit;
using MudBlazor;
using MudBlazor.Services;
using OmsDashboard.Data.Rules;
using OmsDashboard.Web.Features.Rules;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Features.Rules;

/// <summary>
/// One rule setting's field: its message comes from the form, whatever MudBlazor's own validation
/// state says. A CI run showed the race: the form had the range error (Save stayed disabled), but
/// the numeric field's own validation, finishing after the form's render, cleared its error state
/// and the field showed its helper instead, so nothing said what was wrong.
/// </summary>
public sealed class RuleFieldTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = new();

    public RuleFieldTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    private static readonly SettingDefinition StormWindow = RuleCatalog.All.Single(s => s.Id == "rule.storm.time_window");

    /// <summary>The storm window at 500 min (stored 60) with the form's range error passed in.</summary>
    private IRenderedComponent<RuleField> RenderOutOfRange() => _ctx.Render<RuleField>(p => p
        .Add(x => x.Setting, StormWindow).Add(x => x.Value, 500m).Add(x => x.Stored, 60m)
        .Add(x => x.Error, RulesValidator.ValidateOne(StormWindow, 500m)));

    [Fact]
    public async Task RangeMessage_StaysWhenTheNumericFieldRevalidatesItself()
    {
        var cut = RenderOutOfRange();
        Assert.Contains("Between 1 min and 240 min", cut.Find("[data-testid='field-rule.storm.time_window']").TextContent, StringComparison.Ordinal);

        // What the race does: the field validates its own value (it has no rules of its own) after
        // the parent passed the error, and the parent does not render again.
        var numeric = cut.FindComponent<MudNumericField<decimal?>>();
        await cut.InvokeAsync(() => numeric.Instance.ValidateAsync());
        cut.Render();

        var field = cut.Find("[data-testid='field-rule.storm.time_window']");
        Assert.Contains("Between 1 min and 240 min", field.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Was 60", field.TextContent, StringComparison.Ordinal);
        Assert.Equal("true", cut.Find("input").GetAttribute("aria-invalid"));
    }

    [Fact]
    public async Task CorrectedValue_ClearsTheMessage_WhicheverRunsLast()
    {
        var cut = RenderOutOfRange();
        var numeric = cut.FindComponent<MudNumericField<decimal?>>();
        await cut.InvokeAsync(() => numeric.Instance.ValidateAsync());

        // The operator types 90: the form clears the error; the field validates once more after.
        cut.Render(p => p.Add(x => x.Value, 90m).Add(x => x.Error, null));
        await cut.InvokeAsync(() => numeric.Instance.ValidateAsync());
        cut.Render();

        var field = cut.Find("[data-testid='field-rule.storm.time_window']");
        Assert.DoesNotContain("Between", field.TextContent, StringComparison.Ordinal);
        Assert.Contains("Was 60 · default 60", field.TextContent, StringComparison.Ordinal);
        Assert.NotEqual("true", cut.Find("input").GetAttribute("aria-invalid"));
    }

    [Fact]
    public void Helper_WithoutAnError_SaysWhatItWasAndTheDefault()
    {
        var cut = _ctx.Render<RuleField>(p => p
            .Add(x => x.Setting, StormWindow).Add(x => x.Value, 90m).Add(x => x.Stored, 60m));

        var field = cut.Find("[data-testid='field-rule.storm.time_window']");
        Assert.Contains("Was 60 · default 60", field.TextContent, StringComparison.Ordinal);
        Assert.Equal("true", field.GetAttribute("data-changed"));
        Assert.NotEqual("true", cut.Find("input").GetAttribute("aria-invalid"));
    }
}
