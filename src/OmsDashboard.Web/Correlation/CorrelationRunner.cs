using OmsDashboard.Data.Correlation;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Correlation;

/// <summary>
/// Runs a correlation pass as soon as one is requested (ingestion requests one after every
/// stored batch), so an accepted signal reaches the operators within a second; a Hangfire
/// recurring job (<see cref="CorrelationJob"/>) is the safety net when nothing asks. Passes are
/// single-flight: in-process through <see cref="CorrelationPass"/>'s gate, across servers
/// through its advisory lock.
/// </summary>
public sealed class CorrelationRunner(CorrelationTrigger trigger, CorrelationPass pass, OutageBroadcaster broadcaster,
    MeterPingRequests pings, ILogger<CorrelationRunner> logger) : BackgroundService, IPassRunner
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await trigger.WaitAsync(stoppingToken);
                await RunOnceAsync(null, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The pass rebuilt nothing half-way (its transaction rolled back); the next request retries.
                logger.LogError(e, "Correlation pass failed; it will run again on the next request");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Runs one pass and hands what changed to the broadcaster.</summary>
    public async Task<CorrelationPassResult> RunOnceAsync(DateTimeOffset? asOf, CancellationToken ct)
    {
        var result = await pass.RunAsync(asOf, ct);
        broadcaster.Publish(pass.LastChanges, pass.Engine);
        pings.Publish(pass.LastChanges);
        return result;
    }
}

/// <summary>Runs a correlation pass now (what operator actions need to see their result at once).</summary>
public interface IPassRunner
{
    Task<CorrelationPassResult> RunOnceAsync(DateTimeOffset? asOf, CancellationToken ct);
}

/// <summary>The recurring safety-net pass (Hangfire), and the storm-mode clock when no signals arrive.</summary>
public sealed class CorrelationJob(CorrelationRunner runner)
{
    public Task RunAsync(CancellationToken ct) => runner.RunOnceAsync(null, ct);
}
