using System.Globalization;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Shared;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Features.Outages;

/// <summary>
/// The outage page's state without a renderer: the outage (header), its path, explanation,
/// evidence counts and timeline from the summary read, and the current pages of evidence and
/// customers. The page reads, this holds; components only render what it says.
/// </summary>
/// <remarks>
/// Pushes carry the outage object only: <see cref="Apply"/> puts it in the header at once and tells
/// the page whether the panels it cannot carry (explanation, timeline, evidence, customers) must be
/// read again. Keyset pages keep a stack of where each page began, so "previous" is exact.
/// </remarks>
public sealed class OutageDetailViewModel(TimeProvider time)
{
    public const int EvidencePageSize = 25;
    public const int CustomerPageSize = 25;

    private readonly List<EvidenceCursor?> _evidenceStarts = [null];
    private readonly List<string?> _customerStarts = [null];

    public DateTimeOffset Now => time.GetUtcNow();

    public TimeZoneInfo Zone => time.LocalTimeZone;

    /// <summary>The route's key (id or event id) this model was loaded for.</summary>
    public string? Key { get; private set; }

    public bool IsLoaded { get; private set; }

    /// <summary>Loaded, and no outage has that id or event id.</summary>
    public bool NotFound => IsLoaded && Summary is null;

    public OutageSummary? Summary { get; private set; }

    /// <summary>The outage as last read or pushed.</summary>
    public OutageItem? Outage { get; private set; }

    public OutageExplanationView? Explanation { get; private set; }

    /// <summary>The predicted device first, up to the substation.</summary>
    public IReadOnlyList<PathNode> Path => Summary?.Path ?? [];

    public IReadOnlyList<OutageTimelineEntry> Timeline => Summary?.Timeline ?? [];

    public int TimelineTotal => Summary?.TimelineTotal ?? 0;

    /// <summary>Evidence counts per source (in the screens' source order), each with its types.</summary>
    public IReadOnlyList<SourceGroup> EvidenceGroups { get; private set; } = [];

    public int EvidenceTotal => EvidenceGroups.Sum(g => g.Count);

    /// <summary>The source the evidence table shows, or null for all.</summary>
    public string? EvidenceSource { get; private set; }

    public EvidencePage Evidence { get; private set; } = new([], false);

    public int EvidencePageNumber => _evidenceStarts.Count;

    public bool EvidenceHasPrevious => _evidenceStarts.Count > 1;

    public CustomerPage Customers { get; private set; } = new([], false, null);

    /// <summary>Customers below the device matching the search, as counted with the first page.</summary>
    public long? CustomersTotal { get; private set; }

    public string? CustomerSearch { get; private set; }

    public int CustomerPageNumber => _customerStarts.Count;

    public bool CustomersHavePrevious => _customerStarts.Count > 1;

    public OutageArea? Area { get; private set; }

    public bool IsMerged => Outage is { Status: "merged" } || Outage?.MergedIntoId is not null;

    /// <summary>Where a merged outage went: the survivor's page.</summary>
    public string? SurvivorUrl => Outage?.MergedIntoId is { } id ? OutageLinks.Detail(id) : null;

    public string SurvivorText => Summary?.MergedIntoEventId ?? OutageLabels.ShortId(Outage?.MergedIntoId?.ToString());

    public string? ParentUrl => Outage?.ParentOutageId is { } id ? OutageLinks.Detail(id) : null;

    public string ParentText => Summary?.ParentEventId ?? Outage?.ParentOutageId?.ToString() ?? "";

    public bool IsStorm => Explanation?.IsStorm == true;

    public string AgeText => Outage is null ? "" : TimeText.Age(Outage.FirstDetectedAt, Now);

    /// <summary>A fresh start for another outage (the route changed).</summary>
    public void Reset(string key)
    {
        Key = key;
        IsLoaded = false;
        Summary = null;
        Outage = null;
        Explanation = null;
        EvidenceGroups = [];
        EvidenceSource = null;
        Evidence = new([], false);
        _evidenceStarts.Clear();
        _evidenceStarts.Add(null);
        Customers = new([], false, null);
        CustomersTotal = null;
        CustomerSearch = null;
        _customerStarts.Clear();
        _customerStarts.Add(null);
        Area = null;
    }

    /// <summary>Takes a summary read (null: no such outage).</summary>
    public void Load(OutageSummary? summary)
    {
        IsLoaded = true;
        Summary = summary;
        Outage = summary?.Outage;
        Explanation = summary is null ? null : OutageExplanationView.From(summary.Explanation, summary.Outage.DeviceId);
        EvidenceGroups = summary is null ? [] : SourceGroup.From(summary.EvidenceCounts);
    }

    /// <summary>
    /// Applies a pushed batch. Returns what must be read again: nothing when the batch does not
    /// concern this outage; the summary (and evidence) when it does; customers and map too when the
    /// predicted device moved.
    /// </summary>
    public Refresh Apply(IReadOnlyList<OutageUpdate> updates)
    {
        if (Outage is not { } current)
        {
            return Refresh.None;
        }
        var mine = updates.LastOrDefault(u => u.Outage.Id == current.Id);
        if (mine is null)
        {
            return Refresh.None;
        }
        Outage = mine.Outage;
        bool moved = !string.Equals(mine.Outage.DeviceId, current.DeviceId, StringComparison.Ordinal);
        return moved ? Refresh.Everything : Refresh.Summary;
    }

    public void SetEvidence(string? source, EvidencePage page, bool restart)
    {
        if (restart || !string.Equals(source, EvidenceSource, StringComparison.Ordinal))
        {
            _evidenceStarts.Clear();
            _evidenceStarts.Add(null);
        }
        EvidenceSource = source;
        Evidence = page;
    }

    /// <summary>Where the next evidence page starts (and remembers it for "previous").</summary>
    public EvidenceCursor? NextEvidenceStart()
    {
        var start = Evidence.Items.Count > 0 ? EvidenceCursor.After(Evidence.Items[^1]) : null;
        _evidenceStarts.Add(start);
        return start;
    }

    public EvidenceCursor? PreviousEvidenceStart()
    {
        if (_evidenceStarts.Count > 1)
        {
            _evidenceStarts.RemoveAt(_evidenceStarts.Count - 1);
        }
        return _evidenceStarts[^1];
    }

    /// <summary>Where the page on screen started: a refresh reads the same page again.</summary>
    public EvidenceCursor? CurrentEvidenceStart => _evidenceStarts[^1];

    public void SetCustomers(string? search, CustomerPage page, bool restart)
    {
        if (restart || !string.Equals(search, CustomerSearch, StringComparison.Ordinal))
        {
            _customerStarts.Clear();
            _customerStarts.Add(null);
        }
        CustomerSearch = search;
        Customers = page;
        if (page.Total is { } total)
        {
            CustomersTotal = total;
        }
    }

    public string? NextCustomerStart()
    {
        string? start = Customers.Items.Count > 0 ? Customers.Items[^1].Id : null;
        _customerStarts.Add(start);
        return start;
    }

    public string? PreviousCustomerStart()
    {
        if (_customerStarts.Count > 1)
        {
            _customerStarts.RemoveAt(_customerStarts.Count - 1);
        }
        return _customerStarts[^1];
    }

    public string? CurrentCustomerStart => _customerStarts[^1];

    public void SetArea(OutageArea? area) => Area = area;

    /// <summary>"13:00:02" (with the date when not today) in the page's zone: evidence arrives seconds apart.</summary>
    public string Seconds(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        var today = TimeZoneInfo.ConvertTime(Now, Zone);
        return local.ToString(local.Date == today.Date ? "HH:mm:ss" : "dd MMM HH:mm:ss", CultureInfo.InvariantCulture);
    }

    public string Clock(DateTimeOffset at) => TimeText.Clock(at, Now, Zone);

    /// <summary>"last gasp" for <c>last_gasp</c>.</summary>
    public static string SignalLabel(string type) => type.Replace('_', ' ');

    /// <summary>"fuse", "recloser" …, and "service" for a customer.</summary>
    public static string KindLabel(string kind) => kind == "customer" ? "service" : kind;
}

/// <summary>What a push asks the page to read again.</summary>
public enum Refresh
{
    None,
    Summary,
    Everything,
}

/// <summary>One source's evidence: how many signals, and of which types.</summary>
public sealed record SourceGroup(string Source, int Count, IReadOnlyList<EvidenceCount> Types)
{
    public string Label => OutageLabels.SourceLabel(Source);

    public string TypesText => string.Join(", ", Types.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Count:N0} {OutageDetailViewModel.SignalLabel(t.Type)}")));

    public static IReadOnlyList<SourceGroup> From(IEnumerable<EvidenceCount> counts) =>
    [
        .. counts.GroupBy(c => c.Source, StringComparer.Ordinal)
            .Select(g => new SourceGroup(g.Key, g.Sum(c => c.Count), [.. g.OrderByDescending(c => c.Count)]))
            .OrderBy(g => Order(g.Source)),
    ];

    private static int Order(string source)
    {
        for (int i = 0; i < OutageLabels.Sources.Count; i++)
        {
            if (OutageLabels.Sources[i] == source)
            {
                return i;
            }
        }
        return int.MaxValue;
    }
}
