using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Domain.Correlation;

/// <summary>
/// Confidence that an outage is real, from its evidence, by noisy-OR over sources with
/// diminishing returns for repeats:
/// <code>confidence = 1 − Π_sources (1 − w_s)^(1 + log2 n_s)</code>
/// where w_s is the source's weight (the design's 1.0 / 0.8 / 0.6 / 0.4) and n_s its number of
/// distinct signals. Each factor is at most 1 and shrinks as n_s grows, so adding evidence can
/// never lower the confidence — unlike the design's weighted average, where one SCADA trip plus
/// nine calls scores 0.46, below the trip alone (docs/decisions/0005).
/// </summary>
public static class ConfidenceModel
{
    private const int Sources = 4;

    public static (double Confidence, IReadOnlyList<ConfidencePart> Parts) Compute(IEnumerable<Evidence> evidence, SourceWeights weights)
    {
        Span<int> counts = stackalloc int[Sources];
        Span<double> maxWeight = stackalloc double[Sources];
        foreach (var e in evidence)
        {
            int s = (int)e.Source;
            counts[s]++;
            maxWeight[s] = Math.Max(maxWeight[s], e.Weight);
        }
        return Compute(counts, maxWeight, weights);
    }

    /// <summary>The same, from a running tally (what the engine keeps per outage).</summary>
    public static (double Confidence, IReadOnlyList<ConfidencePart> Parts) Compute(ConfidenceTally tally, SourceWeights weights)
    {
        Span<int> counts = stackalloc int[Sources];
        Span<double> maxWeight = stackalloc double[Sources];
        for (int s = 0; s < Sources; s++)
        {
            counts[s] = tally.CountOf((SourceSystem)s);
            maxWeight[s] = tally.MaxWeightOf((SourceSystem)s);
        }
        return Compute(counts, maxWeight, weights);
    }

    private static (double Confidence, IReadOnlyList<ConfidencePart> Parts) Compute(ReadOnlySpan<int> counts, ReadOnlySpan<double> maxWeight, SourceWeights weights)
    {
        var parts = new List<ConfidencePart>(Sources);
        double remaining = 1.0;
        for (int s = 0; s < Sources; s++)
        {
            if (counts[s] == 0) continue;
            double w = Math.Clamp(maxWeight[s] > 0 ? maxWeight[s] : weights.Of((SourceSystem)s), 0, 1);
            double exponent = 1 + Math.Log2(counts[s]);
            double miss = Math.Pow(1 - w, exponent);
            parts.Add(new ConfidencePart((SourceSystem)s, counts[s], w, exponent, 1 - miss));
            remaining *= miss;
        }
        return (Math.Round(1 - remaining, 4), parts);
    }
}
