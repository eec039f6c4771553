using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;

namespace OmsDashboard.Web.Demo;

/// <summary>
/// The demo's AMI head-end: answers the engine's meter pings from the simulated storms' truth.
/// The demo plays one storm after another and an outage may outlive the storm that made it, so the
/// last few storms are kept; a meter is dead if any of them has it without power at that moment.
/// </summary>
public sealed class DemoPingAnswers(int keep = 4)
{
    private readonly LinkedList<SimulatedStorm> _storms = new();
    private readonly Lock _lock = new();

    public void Add(SimulatedStorm storm)
    {
        lock (_lock)
        {
            _storms.AddLast(storm);
            while (_storms.Count > keep) _storms.RemoveFirst();
        }
    }

    /// <summary>The answers to pinging <paramref name="meters"/> at <paramref name="at"/>: one per answering meter.</summary>
    public IReadOnlyList<Signal> Answer(IReadOnlyCollection<string> meters, DateTimeOffset at)
    {
        SimulatedStorm[] storms;
        lock (_lock) storms = [.. _storms];
        var byMeter = new Dictionary<string, Signal>(StringComparer.Ordinal);
        foreach (var storm in storms)
        {
            foreach (var answer in storm.AnswerPings(meters, at))
            {
                // Dead wins: a meter out in any storm is out.
                if (!byMeter.TryGetValue(answer.AssetId!, out var had) || (had.Type == SignalType.PingAlive && answer.Type == SignalType.PingDead))
                {
                    byMeter[answer.AssetId!] = answer;
                }
            }
        }
        return [.. byMeter.Values.OrderBy(s => s.ReceivedAt).ThenBy(s => s.SourceId, StringComparer.Ordinal)];
    }
}
