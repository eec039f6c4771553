using OmsDashboard.Data.Polling;
using OmsDashboard.Web.Ingestion;

namespace OmsDashboard.Web.Polling;

/// <summary>
/// One page pulled from a source, validated by the push API's parser: the records to store, the
/// rejected ones with where they were, the cursor after the page, and whether more may be waiting.
/// </summary>
internal sealed record PulledPage(ParsedBatch? Batch, IReadOnlyList<PolledRejection> Rejections, string? Next, int Count, bool MoreWaiting)
{
    public static readonly PulledPage Empty = new(null, [], null, 0, false);

    /// <summary>The newest <c>occurredAt</c> among the valid records, or null.</summary>
    public DateTimeOffset? NewestRecordAt => Batch is { Valid.Count: > 0 } b ? b.Valid.Max(r => r.OccurredAt) : null;
}

/// <summary>
/// A pull failed. <see cref="Transient"/> failures (5xx, 408, 429, timeouts, refused or dropped
/// connections, transient database errors) are retried with backoff; the rest (4xx, a feed that
/// breaks the protocol, a bad query) fail the run at once, since trying again cannot help.
/// </summary>
public sealed class PollingException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public bool Transient { get; } = transient;
}
