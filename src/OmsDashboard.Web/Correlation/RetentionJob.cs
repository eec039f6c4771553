using Hangfire;
using Microsoft.Extensions.Options;
using OmsDashboard.Data.Correlation;

namespace OmsDashboard.Web.Correlation;

/// <summary>Signal retention (<c>Oms:Retention</c>; docs/decisions/0013).</summary>
public sealed class RetentionOptions
{
    /// <summary>Raw signals older than this many days (event time) are deleted, once a kept engine snapshot covers them.</summary>
    public int SignalDays { get; set; } = 90;

    /// <summary>Rows deleted per transaction.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>When the job runs (cron, UTC): daily, off-peak.</summary>
    public string Cron { get; set; } = "17 3 * * *";

    public void Validate()
    {
        if (SignalDays < 1) throw new InvalidOperationException($"Oms:Retention:SignalDays must be at least 1 (is {SignalDays})");
        if (BatchSize < 1) throw new InvalidOperationException($"Oms:Retention:BatchSize must be at least 1 (is {BatchSize})");
    }
}

/// <summary>
/// The recurring retention job (id <see cref="Hosting.RecurringJobs.SignalRetention"/>). Not
/// retried by Hangfire: the next day's run is the retry, and a run stopped half-way has deleted
/// whole batches only. Single-flight through <see cref="SignalRetention"/>'s advisory lock.
/// </summary>
public sealed class RetentionJob(SignalRetention retention, IOptions<RetentionOptions> options, ILogger<RetentionJob> logger)
{
    [AutomaticRetry(Attempts = 0)]
    [System.ComponentModel.DisplayName("Signal retention")]
    public async Task RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        o.Validate();
        var result = await retention.RunAsync(TimeSpan.FromDays(o.SignalDays), o.BatchSize, ct);
        if (result.Skipped is not null)
        {
            logger.LogWarning("Signal retention deleted nothing: {Reason}", result.Skipped);
            return;
        }
        logger.LogInformation("Signal retention: {Total} signals before {Cutoff:u} deleted ({Counts}), {Outcomes} outcome rows",
            result.Total, result.Cutoff, string.Join(", ", result.Deleted.Select(d => $"{d.Key} {d.Value}")), result.OutcomesDeleted);
    }
}
