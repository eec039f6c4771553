using System.Buffers;
using System.Text.Json;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Testing;

/// <summary>One batch as a source system posts it: <c>POST /api/oms/events/{Source}</c> with <see cref="Body"/>.</summary>
public sealed record ContractBatch(int Number, string Source, IReadOnlyList<Signal> Signals, byte[] Body)
{
    public string Path => "/api/oms/events/" + Source;
}

/// <summary>
/// Simulated signals written as the contract's JSON records (§2), in batches of one source each, as
/// source systems send them: signals are taken in arrival order and each source's run is cut into
/// batches of at most <c>size</c> records. Written by hand with <see cref="Utf8JsonWriter"/> so that a
/// million records are serialized in well under a second before any timing starts.
/// </summary>
public static class ContractBatches
{
    /// <summary>
    /// Batches of up to <paramref name="size"/> records: a batch is closed when it is full, and every
    /// source's open batch is closed once <paramref name="flushEvery"/> signals have gone by (so the
    /// sources interleave as they would in a storm instead of one source after the other).
    /// </summary>
    public static List<ContractBatch> Build(IReadOnlyList<Signal> signals, int size, int flushEvery = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var open = new Dictionary<SourceSystem, List<Signal>>();
        var batches = new List<ContractBatch>();
        void Close(SourceSystem source)
        {
            if (open.Remove(source, out var list) && list.Count > 0)
            {
                batches.Add(new ContractBatch(batches.Count, SignalTypes.ToWire(source), list, Serialize(list)));
            }
        }
        for (int i = 0; i < signals.Count; i++)
        {
            var s = signals[i];
            if (!open.TryGetValue(s.Source, out var list))
            {
                open[s.Source] = list = new List<Signal>(Math.Min(size, 1024));
            }
            list.Add(s);
            if (list.Count == size)
            {
                Close(s.Source);
            }
            if (flushEvery > 0 && (i + 1) % flushEvery == 0)
            {
                foreach (var source in open.Keys.ToList())
                {
                    Close(source);
                }
            }
        }
        foreach (var source in open.Keys.ToList())
        {
            Close(source);
        }
        return batches;
    }

    /// <summary>One source's records as a JSON array (all of <paramref name="signals"/> must be of one source).</summary>
    public static byte[] Serialize(IReadOnlyList<Signal> signals)
    {
        var buffer = new ArrayBufferWriter<byte>(signals.Count * 160 + 16);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var s in signals)
            {
                Write(w, s);
            }
            w.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, Signal s)
    {
        w.WriteStartObject();
        switch (s.Source)
        {
            case SourceSystem.Scada:
                w.WriteString("eventId", s.SourceId);
                w.WriteString("deviceId", s.AssetId);
                w.WriteString("eventType", s.TypeName);
                w.WriteString("occurredAt", s.OccurredAt);
                break;
            case SourceSystem.Kaifa:
                w.WriteString("eventId", s.SourceId);
                w.WriteString("meterId", s.AssetId);
                w.WriteString("eventType", s.TypeName);
                w.WriteString("occurredAt", s.OccurredAt);
                w.WriteString("receivedAt", s.ReceivedAt);
                break;
            case SourceSystem.Onu:
                w.WriteString("eventId", s.SourceId);
                w.WriteString("onuId", s.AssetId);
                w.WriteString("eventType", s.TypeName);
                w.WriteString("occurredAt", s.OccurredAt);
                break;
            case SourceSystem.Callcenter:
                w.WriteString("ticketId", s.SourceId);
                if (s.AccountNumber is not null) w.WriteString("accountNumber", s.AccountNumber);
                if (s.Lat is { } lat) w.WriteNumber("lat", lat);
                if (s.Lon is { } lon) w.WriteNumber("lon", lon);
                w.WriteString("category", s.TypeName);
                w.WriteString("reportedAt", s.OccurredAt);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(s), s.Source, "no contract record for this source");
        }
        w.WriteEndObject();
    }
}
