using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OmsDashboard.Web.Ingestion;

/// <summary>
/// Bounds the ingestion work in flight: at most <see cref="IngestionOptions.MaxConcurrentBatches"/>
/// batches are read, parsed and written at once, at most <see cref="IngestionOptions.MaxQueuedBatches"/>
/// wait (oldest first, for up to <see cref="IngestionOptions.MaxQueueWait"/>), and the rest are
/// turned away at once — <c>429</c>, try again — instead of piling up bodies and connections
/// until the server falls over. A batch takes its turn before its body is read.
/// </summary>
public sealed class IngestionGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _maxWait;
    private readonly int _permits;

    public IngestionGate(IOptions<IngestionOptions> options)
    {
        var o = options.Value;
        _maxWait = o.MaxQueueWait;
        _permits = o.MaxConcurrentBatches;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = o.MaxConcurrentBatches,
            QueueLimit = o.MaxQueuedBatches,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Batches in flight now, and waiting for a turn (for logs and diagnostics).</summary>
    public (int InFlight, long Waiting) Load =>
        _limiter.GetStatistics() is { } s ? (_permits - (int)s.CurrentAvailablePermits, s.CurrentQueuedCount) : (0, 0);

    /// <summary>A turn (dispose it when the batch is done), or null when the server is too busy.</summary>
    public async ValueTask<IDisposable?> EnterAsync(CancellationToken ct)
    {
        RateLimitLease lease;
        if (_maxWait == TimeSpan.Zero)
        {
            lease = _limiter.AttemptAcquire(1);
        }
        else
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(_maxWait);
            try
            {
                lease = await _limiter.AcquireAsync(1, wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null; // waited long enough
            }
        }
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return null;
        }
        return lease;
    }

    public void Dispose() => _limiter.Dispose();
}
