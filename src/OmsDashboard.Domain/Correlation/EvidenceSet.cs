using System.Collections;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Domain.Correlation;

/// <summary>
/// An outage's evidence, with the running per-source tally its confidence is computed from.
/// <para>
/// In a storm one outage gathers tens of thousands of signals and is re-explained every 5-second
/// tick, and evidence moves between outages as predictions roll up and down. Recomputing the
/// confidence from every signal at each tick, and finding a moved signal in a list, made both
/// linear in the evidence; here adding, removing and reading the confidence are O(1).
/// Removal is by reference (the engine moves the same <see cref="Evidence"/> instance) and swaps
/// the last item into the hole, so enumeration order is the order of operations, which replay
/// reproduces exactly.
/// </para>
/// </summary>
public sealed class EvidenceSet : IReadOnlyCollection<Evidence>
{
    private readonly List<Evidence> _items = [];
    private readonly Dictionary<Evidence, int> _position = new(ReferenceEqualityComparer.Instance);
    private readonly ConfidenceTally _tally = new();

    public int Count => _items.Count;

    /// <summary>Counts and weights of the outage evidence (restorations excluded).</summary>
    public ConfidenceTally Tally => _tally;

    internal bool Add(Evidence e)
    {
        if (!_position.TryAdd(e, _items.Count)) return false;
        _items.Add(e);
        if (!CorrelationEngine.IsRestoration(e.Type)) _tally.Add(e.Source, e.Weight);
        return true;
    }

    internal bool Remove(Evidence e)
    {
        if (!_position.Remove(e, out int at)) return false;
        int last = _items.Count - 1;
        if (at != last)
        {
            var moved = _items[last];
            _items[at] = moved;
            _position[moved] = at;
        }
        _items.RemoveAt(last);
        if (!CorrelationEngine.IsRestoration(e.Type)) _tally.Remove(e.Source, e.Weight);
        return true;
    }

    public List<Evidence>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<Evidence> IEnumerable<Evidence>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}

/// <summary>
/// Per source: how many outage signals and the weights they carry (a multiset, because a SCADA
/// lockout weighs 1.0 while other SCADA signals weigh the configured SCADA weight, and weights
/// can change with the configuration while old evidence keeps its own).
/// </summary>
public sealed class ConfidenceTally
{
    private const int Sources = 4;
    private readonly int[] _counts = new int[Sources];
    // Few distinct weights per source (usually one, two for SCADA): a short list beats a dictionary.
    private readonly List<(double Weight, int Count)>[] _weights = [[], [], [], []];

    public int CountOf(SourceSystem source) => _counts[(int)source];

    /// <summary>The largest weight among this source's signals, or 0 when it has none.</summary>
    public double MaxWeightOf(SourceSystem source)
    {
        double max = 0;
        foreach (var (w, n) in _weights[(int)source])
        {
            if (n > 0 && w > max) max = w;
        }
        return max;
    }

    internal void Add(SourceSystem source, double weight)
    {
        int s = (int)source;
        _counts[s]++;
        var list = _weights[s];
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].Weight == weight)
            {
                list[i] = (weight, list[i].Count + 1);
                return;
            }
        }
        list.Add((weight, 1));
    }

    internal void Remove(SourceSystem source, double weight)
    {
        int s = (int)source;
        _counts[s]--;
        var list = _weights[s];
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].Weight == weight)
            {
                if (list[i].Count == 1) list.RemoveAt(i);
                else list[i] = (weight, list[i].Count - 1);
                return;
            }
        }
        throw new InvalidOperationException($"removing a {source} weight {weight} that was never added");
    }
}
