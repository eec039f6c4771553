using System.Collections;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Domain.Simulation;

/// <summary>
/// A signal before it is materialised: 40 bytes instead of a record and its id string, so a storm
/// of millions of signals stays small; <see cref="SimulatedStorm.Signals"/> builds the
/// <see cref="Signal"/> on access.
/// </summary>
internal struct RawSignal
{
    /// <summary>UTC ticks.</summary>
    public long Received;
    /// <summary>UTC ticks.</summary>
    public long Occurred;
    /// <summary>Generation order: the tie-break of the sort, so equal receive times stay deterministic.</summary>
    public int Seq;
    public int Fault;
    /// <summary>The customer node (meter, ONU, caller) or the device node (SCADA, passer-by call).</summary>
    public int Node;
    public SignalType Type;
    public RawFlags Flags;
    /// <summary>A caller's offset from <see cref="Node"/>, in metres (location-only calls).</summary>
    public float North;
    public float East;
}

[Flags]
internal enum RawFlags : byte
{
    None = 0,
    /// <summary>The caller gives a place, not an account number.</summary>
    LocationOnly = 1,
}

/// <summary>Arrival order: receive time, then generation order.</summary>
internal readonly struct ArrivalOrder : IComparer<RawSignal>
{
    public int Compare(RawSignal x, RawSignal y)
    {
        int c = x.Received.CompareTo(y.Received);
        return c != 0 ? c : x.Seq.CompareTo(y.Seq);
    }
}

/// <summary>Draws on <see cref="Random"/> in the units the simulator needs.</summary>
internal static class Draw
{
    public const long Second = TimeSpan.TicksPerSecond;
    public const long Minute = TimeSpan.TicksPerMinute;

    /// <summary>A duration uniform in [<paramref name="min"/>, <paramref name="max"/>) ticks.</summary>
    public static long Ticks(this Random rng, long min, long max) => min + (long)(rng.NextDouble() * (max - min));

    public static double Uniform(this Random rng, double min, double max) => min + rng.NextDouble() * (max - min);

    public static bool Chance(this Random rng, double p) => rng.NextDouble() < p;

    /// <summary>A standard normal deviate (Box–Muller, one of the pair).</summary>
    public static double Normal(this Random rng)
    {
        double u = 1.0 - rng.NextDouble(); // (0, 1]
        double v = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    /// <summary>Exponential with the given mean, capped.</summary>
    public static long Exponential(this Random rng, long mean, long cap) =>
        Math.Min(cap, (long)(-mean * Math.Log(1.0 - rng.NextDouble())));
}

/// <summary>Order-independent pseudo-randomness from a key (SplitMix64), for answers that must not depend on call order.</summary>
internal static class Hashing
{
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>FNV-1a over the UTF-16 code units: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    public static ulong Of(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        return h;
    }

    /// <summary>A double in [0, 1) from the top 53 bits.</summary>
    public static double Unit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));
}

/// <summary>Node ids of a set of node numbers, without copying the strings.</summary>
internal sealed class NodeIdList(string[] ids, int[] nodes) : IReadOnlyList<string>
{
    public string this[int index] => ids[nodes[index]];

    public int Count => nodes.Length;

    public IEnumerator<string> GetEnumerator()
    {
        foreach (int node in nodes)
        {
            yield return ids[node];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
