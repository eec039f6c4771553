using System.Buffers.Binary;
using System.Text;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Correlation;

/// <summary>An engine snapshot that cannot be used: another format version, another network, truncated or corrupt.</summary>
public sealed class SnapshotFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Encoding helpers of the engine snapshot (docs/decisions/0013).</summary>
internal static class SnapshotIo
{
    public static void WriteTime(BinaryWriter w, DateTimeOffset? t)
    {
        if (t is not { } v)
        {
            w.Write((byte)0);
            return;
        }
        w.Write((byte)1);
        WriteTime(w, v);
    }

    // Ticks and offset: DateTimeOffset equality ignores the offset, but text formatting does not.
    public static void WriteTime(BinaryWriter w, DateTimeOffset t)
    {
        w.Write(t.UtcTicks);
        w.Write((short)t.TotalOffsetMinutes);
    }

    public static DateTimeOffset ReadTimeValue(BinaryReader r)
    {
        long ticks = r.ReadInt64();
        short offset = r.ReadInt16();
        var utc = new DateTimeOffset(ticks, TimeSpan.Zero);
        return offset == 0 ? utc : utc.ToOffset(TimeSpan.FromMinutes(offset));
    }

    public static DateTimeOffset? ReadTime(BinaryReader r) => r.ReadByte() switch
    {
        0 => null,
        1 => ReadTimeValue(r),
        var b => throw new InvalidDataException($"time flag {b}"),
    };

    public static void WriteText(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null) w.Write(s);
    }

    public static string? ReadText(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    public static void WriteNumber(BinaryWriter w, double? d)
    {
        w.Write(d.HasValue);
        if (d is { } v) w.Write(v);
    }

    public static double? ReadNumber(BinaryReader r) => r.ReadBoolean() ? r.ReadDouble() : null;

    public static void WriteSignal(BinaryWriter w, Signal s)
    {
        w.Write((byte)s.Source);
        w.Write(s.SourceId);
        w.Write((byte)s.Type);
        WriteTime(w, s.OccurredAt);
        WriteTime(w, s.ReceivedAt);
        WriteText(w, s.AssetId);
        WriteText(w, s.AccountNumber);
        WriteNumber(w, s.Lat);
        WriteNumber(w, s.Lon);
    }

    public static Signal ReadSignal(BinaryReader r)
    {
        var source = ReadSource(r);
        string id = r.ReadString();
        var type = ReadType(r);
        return new Signal(source, id, type, ReadTimeValue(r), ReadTimeValue(r), ReadText(r), ReadText(r), ReadNumber(r), ReadNumber(r));
    }

    public static SourceSystem ReadSource(BinaryReader r)
    {
        byte b = r.ReadByte();
        return b <= (byte)SourceSystem.Callcenter ? (SourceSystem)b : throw new InvalidDataException($"source {b}");
    }

    public static SignalType ReadType(BinaryReader r)
    {
        byte b = r.ReadByte();
        return b <= (byte)SignalType.PingDead ? (SignalType)b : throw new InvalidDataException($"signal type {b}");
    }

    public static OutageStatus ReadStatus(BinaryReader r)
    {
        byte b = r.ReadByte();
        return b <= (byte)OutageStatus.Cancelled ? (OutageStatus)b : throw new InvalidDataException($"outage status {b}");
    }

    public static int ReadCount(BinaryReader r)
    {
        int n = r.Read7BitEncodedInt();
        // A count larger than what is left of the stream is corruption, not a reason to allocate.
        return n >= 0 && n <= r.BaseStream.Length - r.BaseStream.Position ? n : throw new InvalidDataException($"count {n} beyond the end of the snapshot");
    }

    /// <summary>
    /// A 64-bit checksum over the state (FNV-1a style, eight bytes a step): detects a truncated
    /// or damaged row, not tampering.
    /// </summary>
    public static ulong Checksum(ReadOnlySpan<byte> data)
    {
        const ulong prime = 0x100000001b3;
        ulong h = 0xcbf29ce484222325 ^ (ulong)data.Length;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8) h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(data[i..])) * prime;
        for (; i < data.Length; i++) h = (h ^ data[i]) * prime;
        return h;
    }

    /// <summary>
    /// Identifies the network a snapshot's node numbers refer to (ids, kinds and parents): a
    /// snapshot over another import of the topology would put states on the wrong nodes.
    /// </summary>
    public static ulong Fingerprint(NetworkTopology net)
    {
        var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(net.Count);
            for (int i = 0; i < net.Count; i++)
            {
                w.Write(net.Ids[i]);
                w.Write((byte)net.Kinds[i]);
                w.Write(net.Parents[i]);
            }
        }
        return Checksum(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}
