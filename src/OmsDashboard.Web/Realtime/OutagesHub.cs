using Microsoft.AspNetCore.SignalR;

namespace OmsDashboard.Web.Realtime;

/// <summary>
/// <c>/hubs/outages</c> (contract §6). Server → client: <c>OutageChanged</c>, <c>StormModeChanged</c>,
/// <c>Kpis</c>. A client gets every feeder's outages until it subscribes to some feeders.
/// </summary>
public sealed class OutagesHub : Hub
{
    public const string Path = "/hubs/outages";
    public const string AllGroup = "all";

    public static string FeederGroup(string feederId) => "feeder:" + feederId;

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, AllGroup);
        await base.OnConnectedAsync();
    }

    /// <summary>Narrows <c>OutageChanged</c> to the feeders subscribed to.</summary>
    public async Task SubscribeFeeder(string feederId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, AllGroup);
        await Groups.AddToGroupAsync(Context.ConnectionId, FeederGroup(feederId));
    }

    public Task UnsubscribeFeeder(string feederId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, FeederGroup(feederId));
}
