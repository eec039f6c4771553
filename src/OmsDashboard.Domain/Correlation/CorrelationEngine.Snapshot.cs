using System.Buffers.Binary;
using System.Text;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Correlation;

/// <summary>
/// Engine snapshots (docs/decisions/0013): the state the engine needs to carry on exactly as if it
/// had never stopped, written compactly by hand (no serializer over the internals), so a rebuild
/// restores the newest snapshot and replays only what followed it.
/// <para>
/// Kept: customer states and times, evidence of dark customers and of SCADA opens, SCADA and
/// pinned devices, pending signals and restores, every outage (the active ones in full, the ended
/// ones as summaries: they never change again, but numbers are dense, actions name them and new
/// outages nest in recently restored ones), the evidence→outage entries of the evidence still
/// kept, storm monitor, clock, processed time, next number, pending operator actions and the
/// ping bookkeeping of active outages. Recomputed: the per-node counts and the programme's caches.
/// Dropped: the duplicate filter of signals already seen (the database keeps signals unique by
/// source and id) and the evidence of ended outages.
/// </para>
/// </summary>
public sealed partial class CorrelationEngine
{
    /// <summary>The snapshot format this build writes and reads.</summary>
    public const int SnapshotFormatVersion = 1;

    private static ReadOnlySpan<byte> SnapshotMagic => "OMSENGSN"u8;
    private const int SnapshotHeader = 8 + 4 + 8 + 8;

    private ulong? _fingerprint;

    private ulong Fingerprint => _fingerprint ??= SnapshotIo.Fingerprint(_net);

    /// <summary>
    /// Writes the engine's state to <paramref name="stream"/>. Only between advances with nothing
    /// pending in the changes (right after <see cref="Advance"/>): changes not yet handed out are
    /// not part of a snapshot.
    /// </summary>
    public void WriteSnapshot(Stream stream)
    {
        if (!_changes.IsEmpty)
        {
            throw new InvalidOperationException("the engine has changes not yet returned by Advance: take the snapshot right after Advance");
        }
        var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true)) WriteState(w);
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        using var h = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        h.Write(SnapshotMagic);
        h.Write(SnapshotFormatVersion);
        h.Write(Fingerprint);
        h.Write((long)bytes.Length);
        h.Write(bytes);
        h.Write(SnapshotIo.Checksum(bytes));
    }

    /// <summary>
    /// A new engine over <paramref name="network"/> in the state a snapshot recorded, with the
    /// given options (which may differ from those the snapshot was taken under: a rule change
    /// applies from here on). Throws <see cref="SnapshotFormatException"/> for another format
    /// version, another network, or a truncated or corrupt stream; never returns a half-restored engine.
    /// </summary>
    public static CorrelationEngine RestoreSnapshot(Stream stream, NetworkTopology network, EngineOptions? options = null, StormSettings? storm = null)
    {
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] data = copy.GetBuffer();
        int length = (int)copy.Length;
        if (length < SnapshotHeader + 8)
        {
            throw new SnapshotFormatException($"not an engine snapshot: {length} bytes, shorter than the header");
        }
        if (!data.AsSpan(0, 8).SequenceEqual(SnapshotMagic))
        {
            throw new SnapshotFormatException("not an engine snapshot: the stream does not start with the snapshot marker");
        }
        int version = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(8));
        if (version != SnapshotFormatVersion)
        {
            throw new SnapshotFormatException($"engine snapshot of format version {version}; this build reads version {SnapshotFormatVersion}");
        }
        var engine = new CorrelationEngine(network, options, storm);
        if (BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(12)) != engine.Fingerprint)
        {
            throw new SnapshotFormatException("engine snapshot taken over another network (the topology was imported again since)");
        }
        long stated = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(20));
        if (stated != length - SnapshotHeader - 8)
        {
            throw new SnapshotFormatException($"engine snapshot truncated or padded: its header announces {stated} bytes of state, the stream holds {length - SnapshotHeader - 8}");
        }
        var state = data.AsSpan(SnapshotHeader, (int)stated);
        if (SnapshotIo.Checksum(state) != BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(SnapshotHeader + (int)stated)))
        {
            throw new SnapshotFormatException("engine snapshot corrupt: its checksum does not match its content");
        }
        try
        {
            using var r = new BinaryReader(new MemoryStream(data, SnapshotHeader, (int)stated, writable: false), Encoding.UTF8);
            engine.ReadState(r);
            if (r.BaseStream.Position != r.BaseStream.Length) throw new InvalidDataException("bytes left after the state");
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or IndexOutOfRangeException
                                       or FormatException or OverflowException or KeyNotFoundException or InvalidOperationException)
        {
            // A checksum that matches malformed content: written by a broken build. Refuse it all.
            throw new SnapshotFormatException($"engine snapshot malformed: {e.Message}", e);
        }
        return engine;
    }

    private void WriteState(BinaryWriter w)
    {
        w.Write(_clock);
        w.Write(_processedUntil);
        w.Write(_nextNumber);
        _storm.WriteTo(w);

        // Evidence is shared by reference (a customer's list, the outage's set, SCADA opens) and
        // removed by reference: it is written once and referred to by its position.
        var evidenceIds = new Dictionary<Evidence, int>(ReferenceEqualityComparer.Instance);
        var evidence = new List<Evidence>();
        void Collect(Evidence e)
        {
            if (evidenceIds.TryAdd(e, evidence.Count)) evidence.Add(e);
        }
        foreach (var o in _outages)
        {
            if (!o.IsActive) continue;
            foreach (var e in o.Evidence) Collect(e);
        }
        foreach (var list in _customerEvidence.Values) list.ForEach(Collect);
        foreach (var list in _scadaEvidence.Values) list.ForEach(Collect);
        foreach (var (_, e) in _unassigned) Collect(e);
        foreach (var (_, e, _) in _unassignedScada) Collect(e);
        w.Write7BitEncodedInt(evidence.Count);
        foreach (var e in evidence) WriteEvidence(w, e);
        void Refs(IReadOnlyCollection<Evidence> list)
        {
            w.Write7BitEncodedInt(list.Count);
            foreach (var e in list) w.Write7BitEncodedInt(evidenceIds[e]);
        }

        // Customer states (every customer ever touched: the time stays after it turns unknown).
        var customers = new List<int>();
        for (int c = 0; c < _net.Count; c++)
        {
            if (_state[c] != CustomerState.Unknown || _since[c] != 0) customers.Add(c);
        }
        w.Write7BitEncodedInt(customers.Count);
        foreach (int c in customers)
        {
            w.Write7BitEncodedInt(c);
            w.Write((byte)_state[c]);
            w.Write(_since[c]);
        }
        WriteMap(w, _deviceLiveAt, (k, v) => { w.Write7BitEncodedInt(k); w.Write(v); });
        var scadaOpen = Enumerable.Range(0, _net.Count).Where(v => _scadaOpen[v]).ToList();
        WriteList(w, scadaOpen, v => w.Write7BitEncodedInt(v));
        var closes = Enumerable.Range(0, _net.Count).Where(v => _lastClose[v] != 0).ToList();
        WriteList(w, closes, v => { w.Write7BitEncodedInt(v); w.Write(_lastClose[v]); });
        var pinned = _pinned is null ? [] : Enumerable.Range(0, _net.Count).Where(v => _pinned[v]).ToList();
        WriteList(w, pinned, v => { w.Write7BitEncodedInt(v); w.Write(_pinnedAt![v]); });
        WriteMap(w, _scadaEvidence, (k, v) => { w.Write7BitEncodedInt(k); Refs(v); });
        WriteMap(w, _customerEvidence, (k, v) => { w.Write7BitEncodedInt(k); Refs(v); });
        WriteMap(w, _pendingRestores, (k, v) => { w.Write7BitEncodedInt(k); WriteList(w, v, t => w.Write(t)); });
        WriteList(w, _hazards.Order().ToList(), v => w.Write7BitEncodedInt(v));
        WriteMap(w, _needsCover, (k, v) => { w.Write7BitEncodedInt(k); WriteList(w, v, c => w.Write7BitEncodedInt(c)); });

        // Outages: dense by number (Find indexes them).
        w.Write(_outages.Count == 0 ? _nextNumber : _outages[0].Number);
        w.Write7BitEncodedInt(_outages.Count);
        for (int i = 0; i < _outages.Count; i++)
        {
            var o = _outages[i];
            if (o.Number != _outages[0].Number + i) throw new InvalidOperationException($"outage numbers are not dense at {o.Number}");
            WriteOutage(w, o, Refs);
        }
        var covered = Enumerable.Range(0, _net.Count).Where(c => _coveredBy[c] is not null).ToList();
        WriteList(w, covered, c => { w.Write7BitEncodedInt(c); w.Write(_coveredBy[c]!.Number); });
        WriteMap(w, _activeByFeeder, (k, v) => { w.Write7BitEncodedInt(k); WriteList(w, v, o => w.Write(o.Number)); });
        WriteMap(w, _outageAtDevice, (k, v) => { w.Write7BitEncodedInt(k); w.Write(v.Number); });
        WriteMap(w, _restoredByFeeder, (k, v) => { w.Write7BitEncodedInt(k); WriteList(w, v, o => w.Write(o.Number)); });
        // Ping bookkeeping matters only while its outage is active (both checks are on active outages).
        bool Active(long number) => Find(number) is { IsActive: true };
        WriteList(w, _neighbourPinged.Where(k => Active(k >> 24)).Order().ToList(), k => w.Write(k));
        WriteList(w, _verifyPinged.Where(Active).Order().ToList(), k => w.Write(k));

        // Between advances these are empty; written anyway so a snapshot never silently drops them.
        WriteList(w, _unassigned, u => { w.Write7BitEncodedInt(u.Customer); w.Write7BitEncodedInt(evidenceIds[u.Evidence]); });
        WriteList(w, _unassignedScada, u => { w.Write7BitEncodedInt(u.Device); w.Write7BitEncodedInt(evidenceIds[u.Evidence]); w.Write(u.How); });
        WriteList(w, _dirtyFeeders.Order().ToList(), f => w.Write7BitEncodedInt(f));

        // Pending signals, by tick; the order within a tick does not matter (sorted when due).
        var ticks = _buckets.Keys.Order().ToList();
        WriteList(w, ticks, tick =>
        {
            w.Write(tick);
            WriteList(w, _buckets[tick], item =>
            {
                SnapshotIo.WriteSignal(w, item.Signal);
                w.Write(item.Key.Effective);
                w.Write7BitEncodedInt(item.Key.Node);
            });
        });
        var actions = _pendingActions.UnorderedItems.OrderBy(a => a.Priority).ToList();
        WriteList(w, actions, a =>
        {
            w.Write(a.Priority.Effective);
            WriteAction(w, a.Element);
        });

        // The evidence→outage entries of the evidence kept (a re-cover tells "moved" from "new" by them).
        foreach (var e in evidence)
        {
            bool has = _evidenceOutage.TryGetValue(Key(e.Source, e.SourceId), out long number);
            w.Write(has);
            if (has) w.Write(number);
        }
    }

    private void ReadState(BinaryReader r)
    {
        _clock = r.ReadInt64();
        _processedUntil = r.ReadInt64();
        _nextNumber = r.ReadInt64();
        _storm.ReadFrom(r);

        var evidence = new Evidence[SnapshotIo.ReadCount(r)];
        for (int i = 0; i < evidence.Length; i++) evidence[i] = ReadEvidence(r);
        List<Evidence> Refs()
        {
            int n = SnapshotIo.ReadCount(r);
            var list = new List<Evidence>(n);
            for (int i = 0; i < n; i++)
            {
                int id = r.Read7BitEncodedInt();
                list.Add((uint)id < (uint)evidence.Length ? evidence[id] : throw new InvalidDataException($"evidence reference {id}"));
            }
            return list;
        }

        int customers = SnapshotIo.ReadCount(r);
        for (int i = 0; i < customers; i++)
        {
            int c = ReadNode(r);
            byte state = r.ReadByte();
            if (state > (byte)CustomerState.Live) throw new InvalidDataException($"customer state {state}");
            _state[c] = (CustomerState)state;
            _since[c] = r.ReadInt64();
        }
        ReadList(r, () => _deviceLiveAt.Add(ReadNode(r), r.ReadInt64()));
        ReadList(r, () => _scadaOpen[ReadNode(r)] = true);
        ReadList(r, () => _lastClose[ReadNode(r)] = r.ReadInt64());
        ReadList(r, () =>
        {
            int v = ReadNode(r);
            _pinned ??= new bool[_net.Count];
            _pinnedAt ??= new long[_net.Count];
            _pinned[v] = true;
            _pinnedAt[v] = r.ReadInt64();
        });
        ReadList(r, () => _scadaEvidence.Add(ReadNode(r), Refs()));
        ReadList(r, () => _customerEvidence.Add(ReadNode(r), Refs()));
        ReadList(r, () =>
        {
            int c = ReadNode(r);
            var list = new List<long>();
            ReadList(r, () => list.Add(r.ReadInt64()));
            _pendingRestores.Add(c, list);
        });
        ReadList(r, () => _hazards.Add(ReadNode(r)));
        ReadList(r, () =>
        {
            int feeder = ReadNode(r);
            var list = new List<int>();
            ReadList(r, () => list.Add(ReadNode(r)));
            _needsCover.Add(feeder, list);
        });

        long first = r.ReadInt64();
        int count = SnapshotIo.ReadCount(r);
        var links = new List<(Outage Outage, long? Parent, long? MergedInto)>();
        for (int i = 0; i < count; i++)
        {
            var (o, parent, merged) = ReadOutage(r, first + i, Refs);
            _outages.Add(o);
            if (parent is not null || merged is not null) links.Add((o, parent, merged));
        }
        Outage OutageAt(long number) => Find(number) ?? throw new InvalidDataException($"reference to outage {number}, not in the snapshot");
        foreach (var (o, parent, merged) in links)
        {
            if (parent is { } p) o.Parent = OutageAt(p);
            if (merged is { } m) o.MergedInto = OutageAt(m);
        }
        ReadList(r, () => _coveredBy[ReadNode(r)] = OutageAt(r.ReadInt64()));
        ReadList(r, () =>
        {
            int feeder = ReadNode(r);
            var list = new List<Outage>();
            ReadList(r, () => list.Add(OutageAt(r.ReadInt64())));
            _activeByFeeder.Add(feeder, list);
        });
        ReadList(r, () => _outageAtDevice.Add(ReadNode(r), OutageAt(r.ReadInt64())));
        ReadList(r, () =>
        {
            int feeder = ReadNode(r);
            var list = new List<Outage>();
            ReadList(r, () => list.Add(OutageAt(r.ReadInt64())));
            _restoredByFeeder.Add(feeder, list);
        });
        ReadList(r, () => _neighbourPinged.Add(r.ReadInt64()));
        ReadList(r, () => _verifyPinged.Add(r.ReadInt64()));

        ReadList(r, () =>
        {
            int c = ReadNode(r);
            int id = r.Read7BitEncodedInt();
            _unassigned.Add((c, (uint)id < (uint)evidence.Length ? evidence[id] : throw new InvalidDataException($"evidence reference {id}")));
        });
        ReadList(r, () =>
        {
            int v = ReadNode(r);
            int id = r.Read7BitEncodedInt();
            _unassignedScada.Add((v, (uint)id < (uint)evidence.Length ? evidence[id] : throw new InvalidDataException($"evidence reference {id}"), r.ReadString()));
        });
        ReadList(r, () => _dirtyFeeders.Add(ReadNode(r)));

        ReadList(r, () =>
        {
            long tick = r.ReadInt64();
            var bucket = new List<(Signal Signal, PendingKey Key)>();
            ReadList(r, () =>
            {
                var s = SnapshotIo.ReadSignal(r);
                long effective = r.ReadInt64();
                int node = ReadNode(r);
                if (effective / TickLength != tick) throw new InvalidDataException($"pending signal {s.SourceId} in the wrong tick");
                bucket.Add((s, new PendingKey(effective, s.OccurredAt.UtcTicks, (byte)s.Source, s.SourceId, node)));
            });
            _buckets.Add(tick, bucket);
            _bucketOrder.Enqueue(tick, tick);
            _pendingCount += bucket.Count;
        });
        ReadList(r, () =>
        {
            long effective = r.ReadInt64();
            var action = ReadAction(r);
            _pendingActions.Enqueue(action, (effective, action.Id));
        });

        foreach (var e in evidence)
        {
            if (r.ReadBoolean()) _evidenceOutage[Key(e.Source, e.SourceId)] = r.ReadInt64();
        }

        RecomputeCounts();
    }

    /// <summary>The per-node counts every change keeps up to date, recomputed from the restored states.</summary>
    private void RecomputeCounts()
    {
        for (int v = 0; v < _net.Count; v++)
        {
            if (_state[v] == CustomerState.Dark) _dark[v] = 1;
            else if (_state[v] == CustomerState.Live) _live[v] = 1;
            if (_state[v] != CustomerState.Unknown)
            {
                if (_index.HasOnu[v]) _knownWithOnu[v] = 1;
                else _knownMeterOnly[v] = 1;
            }
            _open[v] = (_scadaOpen[v] ? 1 : 0) + (IsPinned(v) ? 1 : 0);
        }
        // Parents come before their children in the node order.
        for (int v = _net.Count - 1; v >= 0; v--)
        {
            int p = _net.Parents[v];
            if (p < 0) continue;
            if (p >= v) throw new InvalidDataException("the network's parents do not precede their children");
            _dark[p] += _dark[v];
            _live[p] += _live[v];
            _knownWithOnu[p] += _knownWithOnu[v];
            _knownMeterOnly[p] += _knownMeterOnly[v];
            _open[p] += _open[v];
        }
    }

    private int ReadNode(BinaryReader r)
    {
        int v = r.Read7BitEncodedInt();
        return (uint)v < (uint)_net.Count ? v : throw new InvalidDataException($"node {v} outside the network of {_net.Count} nodes");
    }

    private int ReadOptionalNode(BinaryReader r)
    {
        int v = r.Read7BitEncodedInt() - 1;
        return v >= -1 && v < _net.Count ? v : throw new InvalidDataException($"node {v} outside the network of {_net.Count} nodes");
    }

    private static void WriteList<T>(BinaryWriter w, IReadOnlyCollection<T> items, Action<T> write)
    {
        w.Write7BitEncodedInt(items.Count);
        foreach (var item in items) write(item);
    }

    private static void WriteMap<TValue>(BinaryWriter w, Dictionary<int, TValue> map, Action<int, TValue> write)
    {
        // Enumeration order: dictionaries the engine enumerates are re-filled in the same order.
        w.Write7BitEncodedInt(map.Count);
        foreach (var (k, v) in map) write(k, v);
    }

    private static void ReadList(BinaryReader r, Action read)
    {
        int n = SnapshotIo.ReadCount(r);
        for (int i = 0; i < n; i++) read();
    }

    private static void WriteEvidence(BinaryWriter w, Evidence e)
    {
        var s = e.Origin;
        bool same = s is not null && s.Source == e.Source && s.SourceId == e.SourceId && s.Type == e.Type
                    && s.OccurredAt.EqualsExact(e.OccurredAt) && s.ReceivedAt.EqualsExact(e.ReceivedAt) && s.AssetId == e.AssetId;
        // 0: no origin; 1: the origin's fields are the evidence's (always, as the engine makes them); 2: both in full.
        byte kind = s is null ? (byte)0 : same ? (byte)1 : (byte)2;
        w.Write(kind);
        w.Write((byte)e.Source);
        w.Write(e.SourceId);
        w.Write((byte)e.Type);
        SnapshotIo.WriteTime(w, e.OccurredAt);
        SnapshotIo.WriteTime(w, e.ReceivedAt);
        SnapshotIo.WriteText(w, e.AssetId);
        w.Write(e.Weight);
        w.Write7BitEncodedInt(e.Customer + 1);
        if (kind == 1)
        {
            SnapshotIo.WriteText(w, s!.AccountNumber);
            SnapshotIo.WriteNumber(w, s.Lat);
            SnapshotIo.WriteNumber(w, s.Lon);
        }
        else if (kind == 2)
        {
            SnapshotIo.WriteSignal(w, s!);
        }
    }

    private Evidence ReadEvidence(BinaryReader r)
    {
        byte kind = r.ReadByte();
        if (kind > 2) throw new InvalidDataException($"evidence kind {kind}");
        var source = SnapshotIo.ReadSource(r);
        string id = r.ReadString();
        var type = SnapshotIo.ReadType(r);
        var occurred = SnapshotIo.ReadTimeValue(r);
        var received = SnapshotIo.ReadTimeValue(r);
        string? asset = SnapshotIo.ReadText(r);
        double weight = r.ReadDouble();
        int customer = ReadOptionalNode(r);
        Signal? origin = kind switch
        {
            1 => new Signal(source, id, type, occurred, received, asset, SnapshotIo.ReadText(r), SnapshotIo.ReadNumber(r), SnapshotIo.ReadNumber(r)),
            2 => SnapshotIo.ReadSignal(r),
            _ => null,
        };
        return new Evidence(source, id, type, occurred, received, weight, customer, asset) { Origin = origin };
    }

    private void WriteOutage(BinaryWriter w, Outage o, Action<IReadOnlyCollection<Evidence>> refs)
    {
        // Ended outages never change again: their scalar fields suffice (see Outage.IsSummary).
        bool detail = o.IsActive;
        w.Write((byte)((detail ? 1 : 0) | (o.HasHazard ? 2 : 0) | (o.ScadaConfirmed ? 4 : 0)));
        w.Write(o.EventId);
        w.Write((byte)o.Status);
        w.Write7BitEncodedInt(o.Device);
        w.Write7BitEncodedInt(o.Feeder);
        SnapshotIo.WriteTime(w, o.FirstDetectedAt);
        SnapshotIo.WriteTime(w, o.ConfirmedAt);
        SnapshotIo.WriteTime(w, o.RestoredAt);
        SnapshotIo.WriteTime(w, o.ProbableAt);
        w.Write(o.Confidence);
        w.Write((byte)o.Severity);
        w.Write(o.AffectedCustomers);
        w.Write(o.Parent is not null);
        if (o.Parent is not null) w.Write(o.Parent.Number);
        w.Write(o.MergedInto is not null);
        if (o.MergedInto is not null) w.Write(o.MergedInto.Number);
        SnapshotIo.WriteTime(w, o.Etr);
        w.Write7BitEncodedInt(o.PinnedDevice + 1);
        if (!detail) return;

        WriteExplanation(w, o.Explanation);
        refs(o.Evidence);
        WriteList(w, o.Timeline, t =>
        {
            SnapshotIo.WriteTime(w, t.At);
            w.Write(t.Type);
            w.Write((byte)(t.From is { } f ? (int)f + 1 : 0));
            w.Write((byte)(t.To is { } to ? (int)to + 1 : 0));
            w.Write(t.Description);
            SnapshotIo.WriteText(w, t.Actor);
        });
        WriteList(w, o.Customers, c => w.Write7BitEncodedInt(c));
        WriteList(w, o.Restored.Order().ToList(), c => w.Write7BitEncodedInt(c));
        w.Write7BitEncodedInt(o.CoveredDevice + 1);
        var from = o.ExplainedFrom;
        w.Write(from.Device);
        w.Write(from.Evidence);
        w.Write(from.Dark);
        w.Write(from.Live);
        w.Write((byte)from.Status);
        w.Write(from.Hazard);
        w.Write(from.Rules);
        var costs = o.ExplainedCosts;
        w.Write(costs.Confidence);
        w.Write(costs.Affected);
        w.Write(costs.Chosen);
        w.Write(costs.Split);
        w.Write(costs.ParentDark);
        w.Write(costs.ParentLive);
    }

    private (Outage Outage, long? Parent, long? MergedInto) ReadOutage(BinaryReader r, long number, Func<List<Evidence>> refs)
    {
        byte flags = r.ReadByte();
        if (flags > 7) throw new InvalidDataException($"outage flags {flags}");
        string eventId = r.ReadString();
        var status = SnapshotIo.ReadStatus(r);
        int device = ReadNode(r);
        int feeder = ReadNode(r);
        var o = new Outage(number, eventId, device, feeder, SnapshotIo.ReadTimeValue(r))
        {
            Status = status,
            HasHazard = (flags & 2) != 0,
            ScadaConfirmed = (flags & 4) != 0,
            ConfirmedAt = SnapshotIo.ReadTime(r),
            RestoredAt = SnapshotIo.ReadTime(r),
            ProbableAt = SnapshotIo.ReadTime(r),
            Confidence = r.ReadDouble(),
        };
        byte severity = r.ReadByte();
        o.Severity = severity <= (byte)Severity.Critical ? (Severity)severity : throw new InvalidDataException($"severity {severity}");
        o.AffectedCustomers = r.ReadInt32();
        long? parent = r.ReadBoolean() ? r.ReadInt64() : null;
        long? merged = r.ReadBoolean() ? r.ReadInt64() : null;
        o.Etr = SnapshotIo.ReadTime(r);
        o.PinnedDevice = ReadOptionalNode(r);
        if ((flags & 1) == 0)
        {
            // Only ended outages are summaries: an active one needs its evidence and customers.
            if (o.IsActive) throw new InvalidDataException($"outage {number} is {status} but has no detail");
            o.IsSummary = true;
            return (o, parent, merged);
        }
        if (!o.IsActive) throw new InvalidDataException($"outage {number} in full but {status}");

        o.Explanation = ReadExplanation(r);
        foreach (var e in refs()) o.Evidence.Add(e);
        ReadList(r, () =>
        {
            var at = SnapshotIo.ReadTimeValue(r);
            string type = r.ReadString();
            OutageStatus? from = ReadOptionalStatus(r), to = ReadOptionalStatus(r);
            o.Timeline.Add(new TimelineEntry(at, type, from, to, r.ReadString(), SnapshotIo.ReadText(r)));
        });
        ReadList(r, () => o.Customers.Add(ReadNode(r)));
        ReadList(r, () => o.Restored.Add(ReadNode(r)));
        o.CoveredDevice = ReadOptionalNode(r);
        o.ExplainedFrom = (r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), SnapshotIo.ReadStatus(r), r.ReadBoolean(), r.ReadString());
        o.ExplainedCosts = (r.ReadDouble(), r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadInt32(), r.ReadInt32());
        return (o, parent, merged);
    }

    private static OutageStatus? ReadOptionalStatus(BinaryReader r)
    {
        byte b = r.ReadByte();
        return b == 0 ? null : b - 1 <= (int)OutageStatus.Cancelled ? (OutageStatus)(b - 1) : throw new InvalidDataException($"timeline status {b}");
    }

    private static void WriteExplanation(BinaryWriter w, OutageExplanation? x)
    {
        w.Write(x is not null);
        if (x is null) return;
        w.Write(x.Rule);
        WriteList(w, x.PathToSubstation, s => w.Write(s));
        w.Write(x.CustomersDownstream);
        w.Write(x.DarkCustomers);
        w.Write(x.LiveCustomers);
        w.Write(x.SilentCustomers);
        w.Write(x.ChosenCost);
        SnapshotIo.WriteNumber(w, x.SplitCost);
        SnapshotIo.WriteNumber(w, x.ParentCost);
        WriteList(w, x.Confidence, p =>
        {
            w.Write((byte)p.Source);
            w.Write(p.Signals);
            w.Write(p.Weight);
            w.Write(p.Exponent);
            w.Write(p.Contribution);
        });
        w.Write(x.RuleSet);
        w.Write(x.Text);
    }

    private static OutageExplanation? ReadExplanation(BinaryReader r)
    {
        if (!r.ReadBoolean()) return null;
        string rule = r.ReadString();
        var path = new List<string>();
        ReadList(r, () => path.Add(r.ReadString()));
        int downstream = r.ReadInt32(), dark = r.ReadInt32(), live = r.ReadInt32(), silent = r.ReadInt32();
        double chosen = r.ReadDouble();
        double? split = SnapshotIo.ReadNumber(r), parent = SnapshotIo.ReadNumber(r);
        var parts = new List<ConfidencePart>();
        ReadList(r, () => parts.Add(new ConfidencePart(SnapshotIo.ReadSource(r), r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble())));
        return new OutageExplanation(rule, path, downstream, dark, live, silent, chosen, split, parent, parts, r.ReadString(), r.ReadString());
    }

    private static void WriteAction(BinaryWriter w, OperatorAction a)
    {
        w.Write(a.Id);
        w.Write((byte)a.Type);
        w.Write(a.OutageNumber);
        SnapshotIo.WriteTime(w, a.At);
        w.Write(a.User);
        SnapshotIo.WriteText(w, a.Reason);
        SnapshotIo.WriteText(w, a.DeviceId);
        w.Write(a.OtherOutageNumber.HasValue);
        if (a.OtherOutageNumber is { } other) w.Write(other);
        SnapshotIo.WriteTime(w, a.RestoredAt);
        SnapshotIo.WriteTime(w, a.Etr);
    }

    private static OperatorAction ReadAction(BinaryReader r)
    {
        long id = r.ReadInt64();
        byte type = r.ReadByte();
        if (type > (byte)OperatorActionType.SetEtr) throw new InvalidDataException($"action type {type}");
        long outage = r.ReadInt64();
        var at = SnapshotIo.ReadTimeValue(r);
        string user = r.ReadString();
        string? reason = SnapshotIo.ReadText(r), device = SnapshotIo.ReadText(r);
        long? other = r.ReadBoolean() ? r.ReadInt64() : null;
        return new OperatorAction(id, (OperatorActionType)type, outage, at, user, reason, device, other, SnapshotIo.ReadTime(r), SnapshotIo.ReadTime(r));
    }
}
