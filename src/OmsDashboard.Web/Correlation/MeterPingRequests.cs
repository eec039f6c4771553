using System.Threading.Channels;
using OmsDashboard.Domain.Correlation;

namespace OmsDashboard.Web.Correlation;

/// <summary>
/// The engine's requests to ping meters (to verify a restoration, or to settle an outage's extent),
/// handed from each correlation pass to whatever answers them: an AMI head-end adapter in
/// production, the demo feed's simulator here. Answers come back as ordinary signals
/// (<c>ping_alive</c> / <c>ping_dead</c> Kaifa records through the ingestion API), so they are
/// stored, replayed and counted like any other evidence.
/// <para>
/// Bounded: with nobody answering (no adapter configured) the oldest requests are dropped rather
/// than kept for ever; a ping answered late is worth little anyway.
/// </para>
/// </summary>
public sealed class MeterPingRequests
{
    public const int Capacity = 1_000;

    private readonly Channel<PingRequest> _channel = Channel.CreateBounded<PingRequest>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public ChannelReader<PingRequest> Reader => _channel.Reader;

    public void Publish(EngineChanges? changes)
    {
        if (changes is null) return;
        foreach (var request in changes.Pings) _channel.Writer.TryWrite(request);
    }
}
