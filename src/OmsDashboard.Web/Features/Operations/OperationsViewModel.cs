using System.Globalization;
using OmsDashboard.Data.Polling;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Shared;
using OmsDashboard.Web.Polling;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Features.Operations;

/// <summary>
/// The Operations page's state without a renderer: the active outages (newest first), the header's
/// figures and storm mode, kept current by applying the notifier's pushes in the order they came.
/// </summary>
/// <remarks>
/// Pushes carry each outage's latest state, so an update replaces the row whole; the status decides
/// whether the outage is still active (restored, merged, cancelled and momentary ones leave).
/// The page subscribes before it reads the database: pushes that arrive before <see cref="Load"/>
/// are held and replayed after the snapshot, in order. Each push was read after the change it
/// carries, and any later change is pushed later, so the replay converges on the latest state and
/// nothing that happened during the read is lost.
/// </remarks>
public sealed class OperationsViewModel(TimeProvider time)
{
    /// <summary>A source whose rate stayed 0 this long (as this screen saw it) is shown as silent.</summary>
    public static readonly TimeSpan SilentAfter = TimeSpan.FromMinutes(5);

    private static readonly HashSet<string> LeavingChanges = new(["restored", "merged", "cancelled", "momentary"], StringComparer.Ordinal);

    /// <summary>
    /// Above this many rows changed in one batch the list is sorted again whole: each insertion into
    /// the sorted list moves the rows after it, so a batch that replaces a large share of 50,000
    /// rows costs less as one sort.
    /// </summary>
    internal const int ResortAbove = 1024;

    private readonly Dictionary<Guid, OutageRow> _rows = [];
    // The active rows in display order, kept sorted as pushes come in: a push changes a handful of
    // rows, and sorting 50,000 again for each one was the page's main server cost in a storm
    // (docs/benchmarks.md, "Operations page at 50,000 active outages").
    private readonly List<OutageRow> _order = [];
    private readonly Dictionary<string, SourceState> _sources =
        OutageLabels.Sources.ToDictionary(s => s, _ => new SourceState(), StringComparer.Ordinal);
    private readonly List<Action> _held = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private OutageRow[]? _snapshot;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Whether <see cref="Load"/> has run: before it, pushes are held.</summary>
    public bool IsLoaded { get; private set; }

    /// <summary>
    /// The active outages, newest first (<see cref="OutageRowOrder"/>). A new list after each change
    /// and the same one until the next, so components can tell by reference whether anything changed.
    /// </summary>
    public IReadOnlyList<OutageRow> Rows => _snapshot ??= [.. _order];

    /// <summary>Active outages shown (the sum of <see cref="CountOf"/> over the active statuses).</summary>
    public int ActiveCount => _rows.Count;

    /// <summary>Customers out, as the last KPI push (or the start-up read) counted them.</summary>
    public long CustomersOut { get; private set; }

    /// <summary>Customers of the whole network (read once at start), or null when unknown.</summary>
    public long? CustomersServed { get; set; }

    public StormUpdate Storm { get; private set; } = StormModeQuery.Off;

    /// <summary>The active outages in <paramref name="status"/>.</summary>
    public int CountOf(string status) => _counts.GetValueOrDefault(status);

    /// <summary>Signals per minute of each source, in <see cref="OutageLabels.Sources"/> order.</summary>
    public IReadOnlyList<SourceRate> SourceRates
    {
        get
        {
            var now = Now;
            return
            [
                .. OutageLabels.Sources.Select(s =>
                {
                    var state = _sources[s];
                    bool silent = state.PerMinute == 0 && state.ZeroSince is { } since && now - since >= SilentAfter;
                    return new SourceRate(s, OutageLabels.SourceLabel(s), state.PerMinute, silent ? state.ZeroSince : null);
                }),
            ];
        }
    }

    /// <summary>The configured pollers' health, as last read (docs/decisions/0009); empty when none is configured.</summary>
    public IReadOnlyList<PollerHealthDto> Pollers { get; private set; } = [];

    /// <summary>The pollers whose runs are failing, for the header's red chips.</summary>
    public IEnumerable<PollerHealthDto> FailingPollers => Pollers.Where(p => p.Status == PollerStatuses.Failing);

    public void SetPollers(IReadOnlyList<PollerHealthDto> pollers) => Pollers = pollers;

    /// <summary>"12 min": how long ago the outage was first detected, measured now.</summary>
    public string AgeOf(OutageRow row) => TimeText.Age(row.FirstDetectedAt, Now);

    /// <summary>Starts from what the database holds, then applies the pushes held until now.</summary>
    public void Load(IEnumerable<OutageItem> outages, KpiSnapshot kpis, StormUpdate storm)
    {
        _rows.Clear();
        foreach (var item in outages)
        {
            if (IsActive(item.Status))
            {
                _rows[item.Id] = OutageRow.From(item);
            }
        }
        Resort();
        CustomersOut = kpis.CustomersOut;
        Storm = storm;
        IsLoaded = true;
        foreach (var apply in _held)
        {
            apply();
        }
        _held.Clear();
    }

    /// <summary>Applies one coalesced batch: inserts, replaces and removes rows (held until <see cref="Load"/>).</summary>
    public RowChanges Apply(IReadOnlyList<OutageUpdate> updates)
    {
        if (!IsLoaded)
        {
            _held.Add(() => Apply(updates));
            return new RowChanges([], []);
        }
        var upserted = new List<OutageRow>();
        var removed = new List<Guid>();
        // A big batch: change the rows, then sort once; otherwise move each changed row on its own.
        bool resort = updates.Count > ResortAbove;
        foreach (var update in updates)
        {
            var item = update.Outage;
            _rows.TryGetValue(item.Id, out var before);
            if (IsActive(item.Status) && !LeavingChanges.Contains(update.Change))
            {
                var row = OutageRow.From(item);
                _rows[item.Id] = row;
                upserted.Add(row);
                if (!resort)
                {
                    Take(before);
                    Place(row);
                }
            }
            else if (before is not null)
            {
                _rows.Remove(item.Id);
                removed.Add(item.Id);
                if (!resort)
                {
                    Take(before);
                }
            }
        }
        if (resort)
        {
            Resort();
        }
        else if (upserted.Count > 0 || removed.Count > 0)
        {
            _snapshot = null;
        }
        return new RowChanges(upserted, removed);
    }

    public void Apply(KpiUpdate kpis)
    {
        if (!IsLoaded)
        {
            _held.Add(() => Apply(kpis));
            return;
        }
        CustomersOut = kpis.CustomersOut;
        var now = Now;
        foreach (var (source, state) in _sources)
        {
            if (!kpis.SignalsPerMinute.TryGetValue(source, out int rate))
            {
                // Not reported: unknown, which is not the same as silent.
                state.PerMinute = null;
                state.ZeroSince = null;
                continue;
            }
            state.PerMinute = rate;
            state.ZeroSince = rate > 0 ? null : state.ZeroSince ?? now;
        }
    }

    public void Apply(StormUpdate storm)
    {
        if (!IsLoaded)
        {
            _held.Add(() => Apply(storm));
            return;
        }
        Storm = storm;
    }

    public static bool IsActive(string status) => OutageQueries.ActiveStatuses.Contains(status, StringComparer.Ordinal);

    /// <summary>Builds the display order and the counts afresh from <see cref="_rows"/>.</summary>
    private void Resort()
    {
        _order.Clear();
        _order.AddRange(_rows.Values);
        _order.Sort(OutageRowOrder.Instance);
        _counts.Clear();
        foreach (var row in _order)
        {
            _counts[row.Status] = _counts.GetValueOrDefault(row.Status) + 1;
        }
        _snapshot = null;
    }

    /// <summary>Takes a row that is in the display order out of it (found by binary search: the order is total).</summary>
    private void Take(OutageRow? row)
    {
        if (row is null)
        {
            return;
        }
        int at = _order.BinarySearch(row, OutageRowOrder.Instance);
        if (at < 0 || !ReferenceEquals(_order[at], row))
        {
            throw new InvalidOperationException($"the display order lost {row.EventId}");
        }
        _order.RemoveAt(at);
        _counts[row.Status]--;
    }

    /// <summary>Puts a row into the display order where it belongs.</summary>
    private void Place(OutageRow row)
    {
        int at = _order.BinarySearch(row, OutageRowOrder.Instance);
        _order.Insert(at < 0 ? ~at : at, row);
        _counts[row.Status] = _counts.GetValueOrDefault(row.Status) + 1;
    }

    private sealed class SourceState
    {
        public int? PerMinute { get; set; }

        public DateTimeOffset? ZeroSince { get; set; }
    }
}

/// <summary>
/// The Operations list's order: newest first by first detection, then by event id (descending,
/// ordinal), then by id, so that no two rows compare equal and a row can be found by binary search.
/// </summary>
public sealed class OutageRowOrder : IComparer<OutageRow>
{
    public static readonly OutageRowOrder Instance = new();

    public int Compare(OutageRow? x, OutageRow? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? 1 : -1;
        }
        int c = y.FirstDetectedAt.CompareTo(x.FirstDetectedAt);
        if (c == 0)
        {
            c = string.CompareOrdinal(y.EventId, x.EventId);
        }
        return c != 0 ? c : y.Id.CompareTo(x.Id);
    }
}

/// <summary>What one batch changed: rows inserted or replaced, and ids that left the active list.</summary>
public sealed record RowChanges(IReadOnlyList<OutageRow> Upserted, IReadOnlyList<Guid> Removed);

/// <summary>A source's signals per minute; <paramref name="SilentSince"/> is set once it has been 0 for <see cref="OperationsViewModel.SilentAfter"/>.</summary>
public sealed record SourceRate(string Source, string Label, int? PerMinute, DateTimeOffset? SilentSince)
{
    public bool IsSilent => SilentSince is not null;

    /// <summary>"1,204", or "–" before the first KPI push.</summary>
    public string Text => PerMinute?.ToString("N0", CultureInfo.InvariantCulture) ?? "–";
}

/// <summary>One active outage as the grid and the map show it (flat, so columns can sort and filter).</summary>
public sealed record OutageRow(
    Guid Id,
    string EventId,
    string Status,
    string Severity,
    decimal Confidence,
    string? DeviceId,
    string? DeviceKind,
    string? FeederId,
    int Customers,
    DateTimeOffset FirstDetectedAt,
    DateTimeOffset? Etr,
    bool HasHazard,
    double? Lat,
    double? Lon,
    int Scada,
    int Kaifa,
    int Onu,
    int Calls)
{
    public static OutageRow From(OutageItem o) => new(o.Id, o.EventId, o.Status, o.Severity, o.Confidence, o.DeviceId, o.DeviceKind,
        o.FeederId, o.AffectedCustomers, o.FirstDetectedAt, o.Etr, o.HasHazard, o.Lat, o.Lon,
        o.SourceCounts.GetValueOrDefault("scada"), o.SourceCounts.GetValueOrDefault("kaifa"),
        o.SourceCounts.GetValueOrDefault("onu"), o.SourceCounts.GetValueOrDefault("callcenter"));

    /// <summary>0 = low … 3 = critical, for sorting by severity rather than by name.</summary>
    public int SeverityRank => OutageLabels.SeverityRank(Severity);

    /// <summary>0 = unconfirmed … 2 = confirmed.</summary>
    public int StatusRank => OutageLabels.StatusRank(Status);

    public string ConfidenceText => OutageLabels.Percent(Confidence);

    public string DeviceText => OutageLabels.ShortId(DeviceId);

    public string FeederText => OutageLabels.ShortId(FeederId);

    public string CustomersText => Customers.ToString("N0", CultureInfo.InvariantCulture);

    public string Url => OutageLinks.Detail(Id);

    /// <summary>The sources that reported, with their counts, in <see cref="OutageLabels.Sources"/> order.</summary>
    public IReadOnlyList<(string Source, int Count)> SourceCounts =>
        [.. new[] { ("scada", Scada), ("kaifa", Kaifa), ("onu", Onu), ("callcenter", Calls) }.Where(s => s.Item2 > 0)];

    /// <summary>What the quick search looks in: blank matches every row; otherwise the trimmed text, ignoring case.</summary>
    public bool Matches(string? text) => Matches(text.AsSpan().Trim());

    /// <summary>
    /// <see cref="Matches(string)"/> for text already trimmed. The grid calls it for each of 50,000
    /// rows per keystroke and per render: no allocation here.
    /// </summary>
    public bool Matches(ReadOnlySpan<char> text) =>
        text.IsEmpty || Has(EventId, text) || Has(Status, text) || Has(Severity, text) || Has(DeviceId, text) || Has(DeviceKind, text) || Has(FeederId, text);

    private static bool Has(string? value, ReadOnlySpan<char> text) =>
        value is not null && value.AsSpan().Contains(text, StringComparison.OrdinalIgnoreCase);
}
