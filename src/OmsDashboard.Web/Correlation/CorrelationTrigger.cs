using System.Threading.Channels;

namespace OmsDashboard.Web.Correlation;

/// <summary>
/// Asks for a correlation pass soon. Requests coalesce: however many batches arrive while a pass
/// runs, one more pass follows it. Ingestion calls <see cref="Request"/> after storing signals.
/// </summary>
public sealed class CorrelationTrigger
{
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>Requests a pass (never blocks; a request already waiting covers this one).</summary>
    public void Request() => _requests.Writer.TryWrite(true);

    /// <summary>Waits for the next request.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken ct) => _requests.Reader.ReadAsync(ct);
}
