using System.Collections;

namespace OmsDashboard.Domain.Correlation;

/// <summary>
/// A set of node numbers whose enumeration order is a function of its operations only: items sit
/// in a list, a removal swaps the last item into the hole (as <see cref="EvidenceSet"/> does).
/// <para>
/// An outage's customers are enumerated when it ends, and that order decides the order in which
/// they are covered again (hence the order of evidence and changes). A <see cref="HashSet{T}"/>
/// reuses freed slots in an order its public API does not show, so a set rebuilt from a snapshot
/// would enumerate differently from the original; this one, rebuilt by adding the items in
/// enumeration order, is the same set in the same internal state.
/// </para>
/// </summary>
internal sealed class IndexedSet : IReadOnlyCollection<int>
{
    private readonly List<int> _items = [];
    private readonly Dictionary<int, int> _position = [];

    public int Count => _items.Count;

    public bool Contains(int item) => _position.ContainsKey(item);

    public bool Add(int item)
    {
        if (!_position.TryAdd(item, _items.Count)) return false;
        _items.Add(item);
        return true;
    }

    public bool Remove(int item)
    {
        if (!_position.Remove(item, out int at)) return false;
        int last = _items.Count - 1;
        if (at != last)
        {
            int moved = _items[last];
            _items[at] = moved;
            _position[moved] = at;
        }
        _items.RemoveAt(last);
        return true;
    }

    public List<int>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<int> IEnumerable<int>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
