using Hangfire;
using Microsoft.Extensions.Options;
using OmsDashboard.Data.Entities;
using OmsDashboard.Data.Polling;
using OmsDashboard.Web.Hosting;
using OmsDashboard.Web.Ingestion;

namespace OmsDashboard.Web.Polling;

/// <summary>What one run of a poller did.</summary>
public sealed record PollRunResult(string Name, bool Ran, int Pages, int Pulled, int Accepted, int Duplicates, int Rejected, string? Error)
{
    public bool Succeeded => Ran && Error is null;
}

/// <summary>
/// One run of a configured poller (docs/decisions/0009): under the poller's advisory lock (one run
/// at a time across instances; a run that finds it taken does nothing), page after page from the
/// stored cursor: pull (transient failures retried with exponential backoff and jitter), validate
/// and store through the push API's path (<see cref="SignalIngestor.StoreAsync"/>: idempotent,
/// correlation requested), then move the cursor past the page. A run that fails is recorded in
/// the poller's health with its reason; the next interval's run starts again from the cursor.
/// </summary>
public sealed class SourcePoller(IOptions<PollingOptions> options, SourcePollerStore store, SignalIngestor ingestor,
    HttpFeedClient http, TableFeedReader tables, TimeProvider time, ILogger<SourcePoller> logger)
{
    public async Task<PollRunResult> RunAsync(string name, CancellationToken ct)
    {
        var o = options.Value;
        var source = o.Find(name) ?? throw new InvalidOperationException(
            $"There is no polling source named '{name}' in {PollingOptions.Section}:Sources.");
        var schema = SignalSchema.Find(source.Source)!;

        await using var runLock = await store.TryLockAsync(name, ct);
        if (runLock is null)
        {
            logger.LogDebug("Poller {Name}: another run holds it; this one skips", name);
            return new PollRunResult(name, false, 0, 0, 0, 0, 0, null);
        }
        string? cursor = await store.BeginRunAsync(name, source.Source, source.Kind, time.GetUtcNow(), ct);
        int pages = 0, pulled = 0, accepted = 0, duplicates = 0, rejected = 0;
        try
        {
            while (pages < o.MaxPagesPerRun)
            {
                var page = await PullWithRetriesAsync(source, schema, cursor, o, ct);
                if (page.Count == 0)
                {
                    break;
                }
                pages++;
                pulled += page.Count;
                var (a, d) = page.Batch is null ? (0, 0) : await ingestor.StoreAsync(schema, page.Batch, ct);
                accepted += a;
                duplicates += d;
                rejected += page.Rejections.Count;
                foreach (var r in page.Rejections.Take(3))
                {
                    logger.LogWarning("Poller {Name}: rejected {Rejection}", name, SourcePollerStore.Describe(r));
                }
                // Only now, with the page's records committed, does the cursor move past them.
                await store.AdvanceAsync(name, new PageProgress(page.Next, a, page.NewestRecordAt, page.Rejections), time.GetUtcNow(), ct);
                cursor = page.Next;
                if (!page.MoreWaiting)
                {
                    break;
                }
            }
            await store.SucceededAsync(name, time.GetUtcNow(), ct);
            if (pulled > 0)
            {
                logger.LogInformation("Poller {Name}: {Pulled} records in {Pages} pages, {Accepted} new, {Duplicates} duplicates, {Rejected} rejected",
                    name, pulled, pages, accepted, duplicates, rejected);
            }
            return new PollRunResult(name, true, pages, pulled, accepted, duplicates, rejected, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whatever failed — the feed, the mapping, the database — is the poller's health to show.
            // Pages stored before the failure keep their cursor; the next run goes on from there.
            string error = e.Message;
            logger.LogWarning(e, "Poller {Name} failed after {Pages} pages: {Error}", name, pages, error);
            await store.FailedAsync(name, time.GetUtcNow(), error, CancellationToken.None);
            return new PollRunResult(name, true, pages, pulled, accepted, duplicates, rejected, error);
        }
    }

    /// <summary>
    /// Pulls one page; a transient failure is tried again after base × 2^(n−1) (at most the
    /// maximum), each delay drawn between half and all of that (jitter: pollers that failed
    /// together do not come back together).
    /// </summary>
    private async Task<PulledPage> PullWithRetriesAsync(PolledSourceOptions source, SignalSchema schema, string? cursor, PollingOptions o, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return source.Kind == PollerKinds.Http
                    ? await http.PullAsync(source, schema, cursor, ct)
                    : await tables.PullAsync(source, schema, cursor, ct);
            }
            catch (PollingException e) when (e.Transient && attempt < o.MaxAttempts)
            {
                var delay = Backoff(o, attempt);
                logger.LogInformation("Poller {Name}: {Error}; try {Next} of {Max} in {DelayMs:F0} ms", source.Name, e.Message, attempt + 1, o.MaxAttempts, delay.TotalMilliseconds);
                await Task.Delay(delay, time, ct);
            }
            catch (PollingException e) when (e.Transient)
            {
                throw new PollingException($"{e.Message} (gave up after {o.MaxAttempts} tries)", transient: true, e);
            }
        }
    }

    internal static TimeSpan Backoff(PollingOptions o, int attempt)
    {
        double full = Math.Min(o.RetryMaxDelay.TotalMilliseconds, o.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(full * (0.5 + Random.Shared.NextDouble() / 2));
    }
}

/// <summary>
/// The recurring job of one poller (id <see cref="RecurringJobs.PollerId"/>). Hangfire does not
/// retry it: the run retries transient failures itself and records the rest in the poller's
/// health, and the next interval is the next try. A job whose source was removed from the
/// configuration removes itself.
/// </summary>
public sealed class SourcePollingJob(SourcePoller poller, IOptions<PollingOptions> options, IRecurringJobManager jobs, ILogger<SourcePollingJob> logger)
{
    [AutomaticRetry(Attempts = 0)]
    [System.ComponentModel.DisplayName("Poll {0}")]
    public async Task RunAsync(string name, CancellationToken ct)
    {
        if (options.Value.Find(name) is null)
        {
            logger.LogWarning("Polling source {Name} is no longer configured: its recurring job is removed", name);
            jobs.RemoveIfExists(RecurringJobs.PollerId(name));
            return;
        }
        await poller.RunAsync(name, ct);
    }
}
