using Microsoft.Extensions.Options;
using OmsDashboard.Data.Polling;

namespace OmsDashboard.Web.Polling;

/// <summary>One configured poller's health, as <c>GET /api/oms/sources/health</c> shows it.</summary>
public sealed record PollerHealthDto(
    string Name, string Source, string Kind, string Status, string Interval,
    DateTimeOffset? LastRecordAt, double? LagSeconds, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastAttemptAt,
    DateTimeOffset? LastErrorAt, string? LastError, int ConsecutiveFailures, long RecordsTotal, long RejectedTotal,
    DateTimeOffset? LastRejectedAt, string? LastRejection);

/// <summary>One source table's activity (pushed and polled records alike) and the pollers that feed it.</summary>
public sealed record SourceActivityDto(string Source, DateTimeOffset? LastRecordAt, double? LagSeconds, DateTimeOffset? LastIngestedAt, IReadOnlyList<string> Pollers);

public sealed record SourcesHealthDto(DateTimeOffset CheckedAt, IReadOnlyList<PollerHealthDto> Pollers, IReadOnlyList<SourceActivityDto> Sources);

/// <summary>
/// Source health for the API and the Operations header: every configured poller (stored state
/// merged in; <c>pending</c> before its first run) and every source table's newest record. Lag is
/// now minus the newest record's event time, never below 0 (replayed storms may be dated ahead).
/// </summary>
public sealed class SourceHealthService(SourceHealthQueries queries, IOptions<PollingOptions> options, TimeProvider time)
{
    public async Task<IReadOnlyList<PollerHealthDto>> PollersAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var stored = (await queries.PollersAsync(ct)).ToDictionary(p => p.Name, StringComparer.Ordinal);
        return
        [
            .. options.Value.Sources.Select(s =>
            {
                var p = stored.GetValueOrDefault(s.Name);
                string interval = s.Interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
                return p is null
                    ? new PollerHealthDto(s.Name, s.Source, s.Kind, PollerStatuses.Pending, interval, null, null, null, null, null, null, 0, 0, 0, null, null)
                    : new PollerHealthDto(s.Name, s.Source, s.Kind, p.Status, interval, p.LastRecordAt, Lag(now, p.LastRecordAt), p.LastSuccessAt,
                        p.LastAttemptAt, p.LastErrorAt, p.LastError, p.ConsecutiveFailures, p.RecordsTotal, p.RejectedTotal, p.LastRejectedAt, p.LastRejection);
            }),
        ];
    }

    public async Task<SourcesHealthDto> GetAsync(CancellationToken ct = default)
    {
        var pollers = await PollersAsync(ct);
        var now = time.GetUtcNow();
        var sources = (await queries.SourcesAsync(ct))
            .Select(s => new SourceActivityDto(s.Source, s.LastRecordAt, Lag(now, s.LastRecordAt), s.LastIngestedAt,
                [.. pollers.Where(p => p.Source == s.Source).Select(p => p.Name)]))
            .ToList();
        return new SourcesHealthDto(now, pollers, sources);
    }

    private static double? Lag(DateTimeOffset now, DateTimeOffset? newest) =>
        newest is { } t ? Math.Round(Math.Max(0, (now - t).TotalSeconds), 3) : null;
}
