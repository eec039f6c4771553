using Microsoft.AspNetCore.SignalR;
using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Queries;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Web.Realtime;

/// <summary>
/// Pushes what correlation passes change to SignalR clients and to in-process subscribers,
/// coalesced: changes collect in a set keyed by outage and are flushed every
/// <see cref="FlushInterval"/> with the outage's latest state, so a storm sends each busy outage
/// at most a few times a second, never every step. KPIs follow every flush (at least every few seconds).
/// </summary>
public sealed class OutageBroadcaster(IHubContext<OutagesHub> hub, OutageNotifier notifier, OutageQueries queries,
    CorrelationPass pass, TimeProvider time, ILogger<OutageBroadcaster> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan KpiInterval = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private Dictionary<Guid, string> _pending = [];
    private StormState? _storm;
    private readonly Queue<(long Minute, int[] Counts)> _rates = new();
    private DateTimeOffset _lastKpis = DateTimeOffset.MinValue;

    /// <summary>Takes a pass's changes (called right after the pass committed).</summary>
    public void Publish(EngineChanges? changes, CorrelationEngine? engine)
    {
        if (changes is null) return;
        lock (_lock)
        {
            foreach (var (outage, change) in changes.Outages)
            {
                if (pass.IdOf(outage.Number) is not { } id) continue;
                string name = change.ToString().ToLowerInvariant();
                // A creation seen by nobody yet stays a creation; a terminal change wins over an update.
                if (_pending.TryGetValue(id, out var earlier) && earlier == "created" && name == "updated") continue;
                _pending[id] = name;
            }
            if ((changes.StormChanged ?? pass.LastStormCorrection) is { } storm) _storm = storm;
            long minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
            if (_rates.Count == 0 || _rates.Last().Minute != minute) _rates.Enqueue((minute, new int[4]));
            var counts = _rates.Last().Counts;
            foreach (var s in changes.Signals) counts[(int)s.Signal.Source]++;
            while (_rates.Count > 0 && _rates.Peek().Minute < minute - 1) _rates.Dequeue();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FlushAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever failed (database, a client), the push must keep going for everyone else.
                logger.LogWarning(e, "Push of outage changes failed; the next flush carries on");
            }
        }
    }

    /// <summary>Sends what collected since the last flush.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        Dictionary<Guid, string> pending;
        StormState? storm;
        lock (_lock)
        {
            pending = _pending;
            _pending = [];
            storm = _storm;
            _storm = null;
        }
        if (storm is not null)
        {
            var update = new StormUpdate(storm.Active, storm.Since, storm.Reason, storm.Active ? "storm" : "standard");
            await hub.Clients.All.SendAsync("StormModeChanged", new { active = update.Active, since = update.Since, reason = update.Reason, ruleSet = update.RuleSet }, ct);
            await notifier.PublishAsync(update);
        }
        if (pending.Count > 0)
        {
            var items = await queries.GetManyAsync(pending.Keys, ct);
            var updates = items.Select(i => new OutageUpdate(i, pending[i.Id])).ToList();
            foreach (var u in updates)
            {
                var message = OutageMessage.From(u);
                await hub.Clients.Group(OutagesHub.AllGroup).SendAsync("OutageChanged", message, ct);
                if (u.Outage.FeederId is { } feeder)
                {
                    await hub.Clients.Group(OutagesHub.FeederGroup(feeder)).SendAsync("OutageChanged", message, ct);
                }
            }
            await notifier.PublishAsync(updates);
        }
        var now = time.GetUtcNow();
        if (pending.Count > 0 || now - _lastKpis >= KpiInterval)
        {
            _lastKpis = now;
            var k = await queries.KpisAsync(ct);
            int[] perMinute = new int[4];
            lock (_lock)
            {
                long seconds = now.ToUnixTimeSeconds();
                long minute = seconds / 60;
                // A sliding minute: the running minute's count plus the share of the previous
                // minute that still lies within the last 60 seconds.
                double previousShare = 1 - (seconds % 60) / 60.0;
                foreach (var (m, counts) in _rates)
                {
                    double share = m == minute ? 1 : m == minute - 1 ? previousShare : 0;
                    for (int i = 0; i < 4; i++) perMinute[i] += (int)Math.Round(counts[i] * share);
                }
            }
            var rates = Enum.GetValues<SourceSystem>().ToDictionary(SignalTypes.ToWire, s => perMinute[(int)s]);
            var kpis = new KpiUpdate(k.ActiveOutages, k.CustomersOut, rates);
            await hub.Clients.All.SendAsync("Kpis", new { activeOutages = kpis.ActiveOutages, customersOut = kpis.CustomersOut, signalsPerMinute = rates }, ct);
            await notifier.PublishAsync(kpis);
        }
    }
}

/// <summary>The contract's <c>OutageChanged</c> message: the outage object of §4 plus <c>change</c>.</summary>
public static class OutageMessage
{
    public static object From(OutageUpdate u)
    {
        var o = u.Outage;
        return new
        {
            o.Id, o.EventId, o.Status, o.Severity, o.Confidence, o.DeviceId, o.DeviceKind, o.FeederId, o.SubstationId,
            o.AffectedCustomers, o.FirstDetectedAt, o.ConfirmedAt, o.RestoredAt, o.Etr, o.SourceCounts, o.Lat, o.Lon,
            o.ParentOutageId, o.MergedIntoId, o.HasHazard, change = u.Change,
        };
    }
}
