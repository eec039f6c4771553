using Microsoft.AspNetCore.SignalR;
using OmsDashboard.Data.Rules;
using OmsDashboard.Web.Correlation;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Features.Rules;

/// <summary>
/// Tells the rest of the app that the rules changed: a correlation pass is requested at once (it
/// rebuilds its engine on the new values), and a forced storm mode is pushed to every banner and
/// SignalR client now rather than at the next pass.
/// </summary>
public sealed class RulesAnnouncer(CorrelationTrigger trigger, OutageNotifier notifier, IHubContext<OutagesHub> hub)
{
    public void RulesSaved() => trigger.Request();

    public async Task StormOverriddenAsync(StormStatus storm, CancellationToken ct = default)
    {
        trigger.Request();
        var update = new StormUpdate(storm.Active, storm.Since, storm.Reason, storm.RuleSet);
        await hub.Clients.All.SendAsync("StormModeChanged", new { active = update.Active, since = update.Since, reason = update.Reason, ruleSet = update.RuleSet }, ct);
        await notifier.PublishAsync(update);
    }
}
