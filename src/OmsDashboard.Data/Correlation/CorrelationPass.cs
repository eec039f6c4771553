using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Data.Operations;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Data.Correlation;

/// <summary>How the last rebuild went: from which snapshot (null: a full replay), how much it replayed, and why a snapshot was passed over.</summary>
public sealed record RebuildReport(long? SnapshotId, long? SnapshotPass, int SignalsReplayed, int ActionsReplayed, IReadOnlyList<string> Warnings);

/// <summary>What one pass did (the body of <c>POST /api/oms/correlate</c>).</summary>
public sealed record CorrelationPassResult(int ProcessedSignals, int Created, int Updated, int Restored, long DurationMs);

/// <summary>
/// One correlation pass: loads the signals not yet taken in, runs the engine up to <c>asOf</c>
/// (default: now), and writes outages, their sources and timeline, the outcomes of signals that
/// are not evidence, the momentaries and the pass's watermarks in one transaction. Signal rows
/// themselves are never updated: what was taken in is a <c>seq</c> watermark per source table
/// (docs/decisions/0010-pass-writes.md).
/// <para>
/// The engine lives in memory between passes as a cache of what the database holds. It is
/// rebuilt from the database — the newest engine snapshot restored, and the signals and actions
/// that followed it replayed up to the stored watermark (docs/decisions/0013) — when
/// the process starts and after any failed pass, so a pass killed at any point loses nothing
/// (its transaction never committed) and counts nothing twice (the rebuilt engine is the one that
/// produced the committed state). Passes are single-flight across processes (an advisory lock).
/// </para>
/// </summary>
public sealed class CorrelationPass(NpgsqlDataSource dataSource, TimeProvider time, EngineOptions? options = null)
{
    private const long PassLockKey = 0x6F6D_7363_6F72;
    private const int MaxSignalsPerPass = 250_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private CorrelationEngine? _engine;
    private readonly Dictionary<long, Guid> _ids = [];
    private readonly Dictionary<long, int> _timelineWritten = [];
    // Which outage each row of oms_event_sources points at, so that a pass writes only the rows
    // that are new or moved, not all the evidence of every outage it touches again.
    private readonly Dictionary<(SourceSystem, string), long> _evidenceWritten = [];

    /// <summary>When passes write engine snapshots and how many are kept.</summary>
    public SnapshotPolicy Snapshots { get; init; } = SnapshotPolicy.Default;

    /// <summary>Receives the rebuild's warnings (an unusable snapshot) and the snapshots written.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>How the last rebuild went (null before the first).</summary>
    public RebuildReport? LastRebuild { get; private set; }

    // When the last snapshot was written (wall time) and how many signals were taken in since.
    private DateTimeOffset _lastSnapshotAt = DateTimeOffset.MinValue;
    private long _signalsSinceSnapshot;

    /// <summary>Called before each write step with its name; tests use it to kill a pass half-way.</summary>
    internal Func<string, Task>? BeforeWriteStep { get; set; }

    private Task Step(string name) => BeforeWriteStep?.Invoke(name) ?? Task.CompletedTask;

    /// <summary>What the last successful pass changed (for the real-time push).</summary>
    public EngineChanges? LastChanges { get; private set; }

    /// <summary>
    /// Storm mode as the last pass wrote it after a rebuild, when the stored state disagreed with
    /// the rebuilt engine (not in <see cref="EngineChanges.StormChanged"/>: the replay made that
    /// switch); null otherwise. The push sends it like a switch.
    /// </summary>
    public StormState? LastStormCorrection { get; private set; }

    /// <summary>The database id of an engine outage, once written.</summary>
    public Guid? IdOf(long number) => _ids.TryGetValue(number, out var id) ? id : null;

    /// <summary>The engine after the last successful pass (null before the first).</summary>
    public CorrelationEngine? Engine => _engine;

    public async Task<CorrelationPassResult> RunAsync(DateTimeOffset? asOf = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        await _gate.WaitAsync(ct);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await Exec(connection, $"SELECT pg_advisory_xact_lock({PassLockKey})", ct);
            var state = await ReadStateAsync(connection, ct);
            var settings = await EngineSettings.ReadAsync(connection, options, ct);
            bool rebuilt = false;
            if (_engine is null || state.Passes != _passesSeen || settings.Version != _settingsVersion)
            {
                // First pass here, another process ran passes meanwhile, or an operator changed the
                // rules: rebuild from the database.
                await RebuildAsync(connection, state, settings, ct);
                rebuilt = true;
            }
            var engine = _engine!;

            var cut = await CutAsync(state.Marks, ct);
            var (fresh, readUntil) = await SignalReader.ReadAsync(connection, state.Marks, cut, MaxSignalsPerPass, ct);
            foreach (var signal in fresh)
            {
                // Accepted, unmatched (then in the changes) or a duplicate: each is taken in by
                // moving the watermark past it, and a rebuild replays it the same way.
                engine.Ingest(signal);
            }
            // Operator actions are events too: taken in with the time the engine gives them, so a
            // rebuild replays them where they took effect.
            var queuedActions = new List<(long Id, DateTimeOffset EffectiveAt)>();
            foreach (var action in await OperatorActionStore.ReadPendingAsync(connection, ct))
            {
                queuedActions.Add((action.Id, engine.Submit(action)));
            }
            var changes = engine.Advance(asOf ?? time.GetUtcNow());

            await WriteAsync(connection, engine, changes, ct);
            await Step("actions");
            await OperatorActionStore.MarkQueuedAsync(connection, queuedActions, state.Passes + 1, ct);
            await OperatorActionStore.WriteOutcomesAsync(connection, changes.Actions, ct);
            // A rebuild's replay swallows the storm switch it makes (e.g. an override cleared back
            // to automatic): the stored state must still follow the rebuilt engine.
            var stormCorrected = rebuilt && changes.StormChanged is null ? await CorrectStormStateAsync(connection, engine.Storm, ct) : null;
            await Step("state");
            await WriteStateAsync(connection, engine, state.Passes + 1, readUntil, ct);
            long sinceSnapshot = _signalsSinceSnapshot + fresh.Count;
            var now = time.GetUtcNow();
            bool snapshot = sinceSnapshot >= Snapshots.AfterSignals
                            || (Snapshots.Every != TimeSpan.MaxValue && now - _lastSnapshotAt >= Snapshots.Every);
            if (snapshot)
            {
                // In the pass's transaction: the snapshot is exactly the committed state (watermarks,
                // actions, next number), or it does not exist.
                await Step("snapshot");
                var (id, size, ms) = await EngineSnapshotStore.WriteAsync(connection, engine, state.Passes + 1, readUntil, settings.Version, Snapshots.Keep, ct);
                Logger?.LogInformation("Engine snapshot {Id} of pass {Pass}: {Size} bytes in {Ms} ms", id, state.Passes + 1, size, ms);
            }
            await Step("commit");
            await tx.CommitAsync(ct);
            _passesSeen = state.Passes + 1;
            if (snapshot)
            {
                _lastSnapshotAt = now;
                _signalsSinceSnapshot = 0;
            }
            else
            {
                _signalsSinceSnapshot = sinceSnapshot;
            }
            LastChanges = changes;
            LastStormCorrection = stormCorrected;

            return new CorrelationPassResult(
                changes.Signals.Select(s => (s.Signal.Source, s.Signal.SourceId)).Distinct().Count(),
                changes.Outages.Count(c => c.Value == OutageChange.Created),
                changes.Outages.Count(c => c.Value == OutageChange.Updated),
                changes.Outages.Count(c => c.Value is OutageChange.Restored or OutageChange.Momentary),
                clock.ElapsedMilliseconds);
        }
        catch
        {
            // The database is the truth: the in-memory engine may be ahead of it now.
            _engine = null;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private long _passesSeen = -1;
    private string? _settingsVersion;

    private sealed record PassState(DateTimeOffset? ProcessedUntil, long NextOutageNumber, long Passes, Watermarks Marks);

    private static async Task<PassState> ReadStateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT processed_until, next_outage_number, passes,
                   (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'scada'),
                   (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'kaifa'),
                   (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'onu'),
                   (SELECT seq FROM oms_correlation_watermarks WHERE source_type = 'callcenter')
              FROM oms_correlation_state WHERE id = 1 FOR UPDATE
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new PassState(reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetInt64(2),
            new Watermarks(reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)));
    }

    /// <summary>
    /// The highest <c>seq</c> of each source table such that every row at or below it is
    /// committed. Taken in a short transaction of its own that locks the four tables in SHARE
    /// mode: that waits for every transaction still writing to them (ingestion batches) and holds
    /// new writers back only for the few index look-ups of <c>max(seq)</c>. Without the lock, a
    /// batch that drew a lower <c>seq</c> but committed later would fall below the watermark
    /// unread. A separate connection, so that the lock ends at once and not with the pass (the
    /// pass's own transaction never writes these tables, so it cannot wait on itself).
    /// <para>
    /// Relies on <c>seq</c> being drawn from the identity sequence (cache 1) and never given by
    /// writers: a writer that starts after the lock draws a higher value than any before it.
    /// </para>
    /// </summary>
    private async Task<Watermarks> CutAsync(Watermarks stored, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SET LOCAL lock_timeout = '30s';
            LOCK TABLE scada_events, kaifa_events, onu_events, callcenter_tickets IN SHARE MODE;
            SELECT (SELECT max(seq) FROM scada_events), (SELECT max(seq) FROM kaifa_events),
                   (SELECT max(seq) FROM onu_events), (SELECT max(seq) FROM callcenter_tickets);
            """, connection, tx);
        Watermarks cut;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            // Never below the stored mark (rows may have been deleted since): it must not go back.
            long At(int i, long mark) => reader.IsDBNull(i) ? mark : Math.Max(mark, reader.GetInt64(i));
            cut = new Watermarks(At(0, stored.Scada), At(1, stored.Kaifa), At(2, stored.Onu), At(3, stored.Callcenter));
        }
        await tx.CommitAsync(ct);
        return cut;
    }

    /// <summary>
    /// Rebuilds the engine as of the stored state: restores the newest usable snapshot and replays
    /// the signals above its watermarks and the actions later passes took in, up to the stored
    /// watermarks; without a usable snapshot, replays every signal and action.
    /// </summary>
    private async Task RebuildAsync(NpgsqlConnection connection, PassState state, EngineSettings settings, CancellationToken ct)
    {
        var network = await NetworkLoader.LoadAsync(dataSource, ct);
        var warnings = new List<string>();
        CorrelationEngine? engine = null;
        StoredSnapshot? used = null;
        foreach (var stored in await EngineSnapshotStore.ListAsync(connection, ct))
        {
            string? problem = null;
            if (stored.Pass > state.Passes || SignalReader.Sources.Any(s => stored.Marks[s] > state.Marks[s]))
            {
                problem = "it is ahead of the stored pass state";
            }
            else if (stored.FormatVersion != CorrelationEngine.SnapshotFormatVersion)
            {
                problem = $"format version {stored.FormatVersion}; this build reads version {CorrelationEngine.SnapshotFormatVersion}";
            }
            else
            {
                try
                {
                    var bytes = await EngineSnapshotStore.ReadStateAsync(connection, stored.Id, ct);
                    engine = CorrelationEngine.RestoreSnapshot(new MemoryStream(bytes, writable: false), network, settings.Options, settings.Storm);
                    used = stored;
                    break;
                }
                catch (SnapshotFormatException e)
                {
                    problem = e.Message;
                }
            }
            // An unusable snapshot is passed over, not fatal: the next older one, or a full replay, rebuilds the same state.
            string warning = $"engine snapshot {stored.Id} (pass {stored.Pass}) not used: {problem}";
            warnings.Add(warning);
            Logger?.LogWarning("{Warning}; rebuilding from an older snapshot or by a full replay", warning);
        }
        engine ??= new CorrelationEngine(network, settings.Options, settings.Storm);
        if (engine.StormOverride != settings.ManualStorm)
        {
            engine.OverrideStormMode(settings.ManualStorm, time.GetUtcNow(), "an operator (stored override)");
        }
        _settingsVersion = settings.Version;
        var (taken, _) = await SignalReader.ReadAsync(connection, used?.Marks ?? Watermarks.Start, state.Marks, int.MaxValue, ct);
        foreach (var signal in taken)
        {
            engine.Ingest(signal);
        }
        var actions = await OperatorActionStore.ReadForReplayAsync(connection, ct, used?.Pass ?? -1);
        foreach (var action in actions)
        {
            engine.Submit(action);
        }
        if (state.ProcessedUntil is { } until)
        {
            engine.Advance(until);
        }
        LastRebuild = new RebuildReport(used?.Id, used?.Pass, taken.Count, actions.Count, warnings);
        _lastSnapshotAt = used?.TakenAt ?? DateTimeOffset.MinValue;
        _signalsSinceSnapshot = taken.Count;
        _ids.Clear();
        _timelineWritten.Clear();
        await using (var cmd = new NpgsqlCommand("SELECT number, id FROM oms_outage_events WHERE number IS NOT NULL", connection))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) _ids[reader.GetInt64(0)] = reader.GetGuid(1);
        }
        _evidenceWritten.Clear();
        foreach (var o in engine.Outages)
        {
            _timelineWritten[o.Number] = o.Timeline.Count;
            // The rebuilt engine is the one that produced the committed state, so its evidence
            // attachments are what oms_event_sources holds.
            foreach (var e in o.Evidence)
            {
                if (engine.EvidenceOutage(e.Source, e.SourceId) == o.Number) _evidenceWritten[(e.Source, e.SourceId)] = o.Number;
            }
        }
        _engine = engine;
    }

    private async Task WriteAsync(NpgsqlConnection connection, CorrelationEngine engine, EngineChanges changes, CancellationToken ct)
    {
        var net = engine.Network;
        await Step("outages");
        // 1. Outages (without their references first, so new rows may point at each other).
        foreach (var o in changes.Outages.Keys)
        {
            if (!_ids.ContainsKey(o.Number)) _ids[o.Number] = Guid.CreateVersion7();
        }
        if (changes.Outages.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection);
            foreach (var o in changes.Outages.Keys.OrderBy(o => o.Number))
            {
                batch.BatchCommands.Add(UpsertOutage(o, net));
            }
            await batch.ExecuteNonQueryAsync(ct);
            await using var refs = new NpgsqlBatch(connection);
            foreach (var o in changes.Outages.Keys.Where(o => o.Parent is not null || o.MergedInto is not null))
            {
                var cmd = new NpgsqlBatchCommand("UPDATE oms_outage_events SET parent_outage_id = $2, merged_into_id = $3 WHERE id = $1");
                cmd.Parameters.Add(new NpgsqlParameter { Value = _ids[o.Number] });
                cmd.Parameters.Add(new NpgsqlParameter { Value = o.Parent is null ? DBNull.Value : _ids[o.Parent.Number] });
                cmd.Parameters.Add(new NpgsqlParameter { Value = o.MergedInto is null ? DBNull.Value : _ids[o.MergedInto.Number] });
                refs.BatchCommands.Add(cmd);
            }
            if (refs.BatchCommands.Count > 0) await refs.ExecuteNonQueryAsync(ct);
        }

        await Step("timeline");
        // 2. Timeline entries not yet written.
        var timeline = new List<(Guid Outage, TimelineEntry Entry)>();
        foreach (var o in changes.Outages.Keys)
        {
            int written = _timelineWritten.GetValueOrDefault(o.Number);
            for (int i = written; i < o.Timeline.Count; i++) timeline.Add((_ids[o.Number], o.Timeline[i]));
            _timelineWritten[o.Number] = o.Timeline.Count;
        }
        if (timeline.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO oms_event_timeline (outage_event_id, occurred_at, entry_type, from_status, to_status, description, actor)
                SELECT * FROM unnest(@outage, @at, @type, @from, @to, @text, @actor)
                """, connection);
            cmd.Parameters.AddWithValue("outage", timeline.Select(t => t.Outage).ToArray());
            cmd.Parameters.AddWithValue("at", timeline.Select(t => t.Entry.At).ToArray());
            cmd.Parameters.AddWithValue("type", timeline.Select(t => t.Entry.Type).ToArray());
            cmd.Parameters.AddWithValue("from", NpgsqlDbType.Array | NpgsqlDbType.Text, timeline.Select(t => (object?)StatusName(t.Entry.From) ?? DBNull.Value).ToArray());
            cmd.Parameters.AddWithValue("to", NpgsqlDbType.Array | NpgsqlDbType.Text, timeline.Select(t => (object?)StatusName(t.Entry.To) ?? DBNull.Value).ToArray());
            cmd.Parameters.AddWithValue("text", timeline.Select(t => t.Entry.Description).ToArray());
            cmd.Parameters.AddWithValue("actor", timeline.Select(t => t.Entry.Actor ?? "system").ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await Step("sources");
        // 3. Evidence rows (a signal is evidence for one outage at a time): only those new or
        // moved since the last write. Rows the pass has never written go by binary COPY straight
        // into oms_event_sources: no staging, no speculative insertion (in a storm nearly every
        // row is new). Moved rows, and new ones if the COPY finds the key stored after all, go
        // through a COPY-staged temporary table and one set-based upsert.
        var added = new List<(Evidence E, long Outage)>();
        var moved = new List<(Evidence E, long Outage)>();
        foreach (var o in changes.Outages.Keys)
        {
            foreach (var e in o.Evidence)
            {
                var key = (e.Source, e.SourceId);
                if (engine.EvidenceOutage(e.Source, e.SourceId) != o.Number) continue;
                if (!_evidenceWritten.TryGetValue(key, out long had)) added.Add((e, o.Number));
                else if (had != o.Number) moved.Add((e, o.Number));
                else continue;
                _evidenceWritten[key] = o.Number;
            }
        }
        if (added.Count > 0 && !await CopyNewEvidenceAsync(connection, net, added, ct))
        {
            moved.AddRange(added);
            added.Clear();
        }
        if (moved.Count > 0)
        {
            await UpsertEvidenceAsync(connection, net, moved, ct);
        }
        if (added.Count + moved.Count > 0)
        {
            // A signal that has become evidence has no outcome row any more (ADR 0010).
            var keys = added.Concat(moved).Select(x => x.E).ToList();
            await using var cmd = new NpgsqlCommand("""
                DELETE FROM oms_signal_outcomes o USING unnest(@source, @id) AS e(source, id)
                 WHERE o.source_type = e.source AND o.source_event_id = e.id
                """, connection);
            cmd.Parameters.AddWithValue("source", keys.Select(e => SignalTypes.ToWire(e.Source)).ToArray());
            cmd.Parameters.AddWithValue("id", keys.Select(e => e.SourceId).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await Step("outcomes");
        // 4. Signals taken in that are not evidence: unmatched (with the reason) or matched with
        // no outage to attach them to. The signal rows themselves are not touched (ADR 0010).
        var outcomes = new Dictionary<(SourceSystem, string), AppliedSignal>();
        foreach (var a in changes.Signals)
        {
            var key = (a.Signal.Source, a.Signal.SourceId);
            if (engine.EvidenceOutage(key.Source, key.SourceId) is null) outcomes[key] = a;
            else outcomes.Remove(key);
        }
        if (outcomes.Count > 0)
        {
            var rows = outcomes.Values.ToList();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO oms_signal_outcomes (source_type, source_event_id, state, note, decided_at)
                SELECT u.source, u.id, u.state, u.note, now() FROM unnest(@source, @id, @state, @note) AS u(source, id, state, note)
                ON CONFLICT (source_type, source_event_id) DO UPDATE SET state = EXCLUDED.state, note = EXCLUDED.note, decided_at = EXCLUDED.decided_at
                """, connection);
            cmd.Parameters.AddWithValue("source", rows.Select(r => SignalTypes.ToWire(r.Signal.Source)).ToArray());
            cmd.Parameters.AddWithValue("id", rows.Select(r => r.Signal.SourceId).ToArray());
            cmd.Parameters.AddWithValue("state", rows.Select(r => r.Matched ? "correlated" : "unmatched").ToArray());
            cmd.Parameters.AddWithValue("note", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => (object?)r.Note ?? DBNull.Value).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await Step("momentaries");
        // 5. Momentaries, for MAIFI.
        if (changes.Momentaries.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO oms_momentary_events (occurred_at, node_id, customers, cause) SELECT * FROM unnest(@at, @node, @customers, @cause)
                """, connection);
            cmd.Parameters.AddWithValue("at", changes.Momentaries.Select(m => m.At).ToArray());
            cmd.Parameters.AddWithValue("node", changes.Momentaries.Select(m => net.Ids[m.Node]).ToArray());
            cmd.Parameters.AddWithValue("customers", changes.Momentaries.Select(m => m.Customers).ToArray());
            cmd.Parameters.AddWithValue("cause", changes.Momentaries.Select(m => m.Cause).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }

        // 6. Storm mode, when it switched.
        if (changes.StormChanged is { } storm)
        {
            await using var cmd = new NpgsqlCommand("""
                UPDATE oms_storm_mode_state SET is_active = @active, since = @since, reason = @reason,
                       active_rule_set = @rules, signals_last_hour = @count, updated_at = now() WHERE id = 1
                """, connection);
            cmd.Parameters.AddWithValue("active", storm.Active);
            cmd.Parameters.AddWithValue("since", (object?)storm.Since ?? DBNull.Value);
            cmd.Parameters.AddWithValue("reason", storm.Reason);
            cmd.Parameters.AddWithValue("rules", storm.Active ? "storm" : "standard");
            cmd.Parameters.AddWithValue("count", storm.SignalsLastHour);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>How many times the COPY of new evidence rows found a key already stored and fell back to the upsert (tests read it).</summary>
    internal int EvidenceCopyConflicts { get; private set; }

    /// <summary>
    /// Binary COPY of evidence rows the pass has not written before straight into
    /// oms_event_sources. Returns false, with nothing written, when a key is stored after all;
    /// the caller then upserts those rows. "Not written before" is what this process remembers
    /// (its own passes, or the rebuilt engine's attachments), which a row stored otherwise can
    /// contradict: the evidence of an outage that ended before the snapshot a rebuild restored
    /// (summaries carry none), a signal re-sent after retention deleted its row (the evidence row
    /// stays), a signal read again after the PassWrites migration. So the COPY runs inside a
    /// savepoint: a unique violation rolls back only the COPY, and the pass goes on.
    /// </summary>
    private async Task<bool> CopyNewEvidenceAsync(NpgsqlConnection connection, NetworkTopology net, List<(Evidence E, long Outage)> rows, CancellationToken ct)
    {
        // correlated_at is the transaction's now(), as the upsert writes it.
        DateTime correlatedAt;
        await using (var cmd = new NpgsqlCommand("SAVEPOINT pass_new_evidence; SELECT now()", connection))
        {
            correlatedAt = (DateTime)(await cmd.ExecuteScalarAsync(ct))!;
        }
        // In the order of the unique (source_type, source_event_id) index: its inserts then walk its
        // leaf pages in turn instead of at random (about a tenth less server CPU for the COPY of a
        // storm's rows; docs/benchmarks.md). Ordinal order is the index's for these ASCII keys.
        rows.Sort((a, b) =>
        {
            int bySource = string.CompareOrdinal(SignalTypes.ToWire(a.E.Source), SignalTypes.ToWire(b.E.Source));
            return bySource != 0 ? bySource : string.CompareOrdinal(a.E.SourceId, b.E.SourceId);
        });
        try
        {
            await using var writer = await connection.BeginBinaryImportAsync("""
                COPY oms_event_sources (outage_event_id, source_type, source_event_id, signal_type, detected_at, received_at, weight,
                    customer_id, asset_id, correlated_at) FROM STDIN (FORMAT BINARY)
                """, ct);
            writer.Timeout = TimeSpan.Zero;
            foreach (var (e, outage) in rows)
            {
                await WriteEvidenceAsync(writer, net, e, _ids[outage], ct);
                await writer.WriteAsync(correlatedAt, NpgsqlDbType.TimestampTz, ct);
            }
            await writer.CompleteAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await Exec(connection, "ROLLBACK TO SAVEPOINT pass_new_evidence; RELEASE SAVEPOINT pass_new_evidence", ct);
            EvidenceCopyConflicts++;
            Logger?.LogWarning("Evidence rows the pass took for new were stored already ({Detail}); upserting the {Count} rows instead", e.Detail ?? e.MessageText, rows.Count);
            return false;
        }
        await Exec(connection, "RELEASE SAVEPOINT pass_new_evidence", ct);
        return true;
    }

    /// <summary>
    /// Evidence rows that may be stored already (moved to another outage, or found stored by the
    /// COPY of new rows): binary COPY into a temporary table, then one set-based upsert that
    /// rewrites a row only when its outage changed.
    /// </summary>
    private async Task UpsertEvidenceAsync(NpgsqlConnection connection, NetworkTopology net, List<(Evidence E, long Outage)> rows, CancellationToken ct)
    {
        await Exec(connection, """
            CREATE TEMP TABLE pass_evidence (outage uuid, source text, id text, type text, detected timestamptz,
                received timestamptz, weight numeric(5,4), customer text, asset text) ON COMMIT DROP
            """, ct);
        await using (var writer = await connection.BeginBinaryImportAsync("COPY pass_evidence FROM STDIN (FORMAT BINARY)", ct))
        {
            writer.Timeout = TimeSpan.Zero;
            foreach (var (e, outage) in rows)
            {
                await WriteEvidenceAsync(writer, net, e, _ids[outage], ct);
            }
            await writer.CompleteAsync(ct);
        }
        await Exec(connection, """
            INSERT INTO oms_event_sources (outage_event_id, source_type, source_event_id, signal_type, detected_at, received_at, weight, customer_id, asset_id, correlated_at)
            SELECT outage, source, id, type, detected, received, weight, customer, asset, now() FROM pass_evidence
            ON CONFLICT (source_type, source_event_id) DO UPDATE SET outage_event_id = EXCLUDED.outage_event_id
            WHERE oms_event_sources.outage_event_id IS DISTINCT FROM EXCLUDED.outage_event_id
            """, ct);
    }

    /// <summary>The columns an evidence row shares between the two COPYs, up to the asset.</summary>
    private static async Task WriteEvidenceAsync(NpgsqlBinaryImporter writer, NetworkTopology net, Evidence e, Guid outage, CancellationToken ct)
    {
        await writer.StartRowAsync(ct);
        await writer.WriteAsync(outage, NpgsqlDbType.Uuid, ct);
        await writer.WriteAsync(SignalTypes.ToWire(e.Source), NpgsqlDbType.Text, ct);
        await writer.WriteAsync(e.SourceId, NpgsqlDbType.Text, ct);
        await writer.WriteAsync(SignalTypes.ToWire(e.Type), NpgsqlDbType.Text, ct);
        await writer.WriteAsync(e.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
        await writer.WriteAsync(e.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
        await writer.WriteAsync((decimal)e.Weight, NpgsqlDbType.Numeric, ct);
        if (e.Customer >= 0) await writer.WriteAsync(net.Ids[e.Customer], NpgsqlDbType.Text, ct);
        else await writer.WriteNullAsync(ct);
        if (e.AssetId is { } asset) await writer.WriteAsync(asset, NpgsqlDbType.Text, ct);
        else await writer.WriteNullAsync(ct);
    }

    /// <summary>Writes <paramref name="storm"/> when the stored state says otherwise; returns it then.</summary>
    private static async Task<StormState?> CorrectStormStateAsync(NpgsqlConnection connection, StormState storm, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE oms_storm_mode_state SET is_active = @active, since = @since, reason = @reason,
                   active_rule_set = @rules, signals_last_hour = @count, updated_at = now()
             WHERE id = 1 AND is_active <> @active
            """, connection);
        cmd.Parameters.AddWithValue("active", storm.Active);
        cmd.Parameters.AddWithValue("since", (object?)storm.Since ?? DBNull.Value);
        cmd.Parameters.AddWithValue("reason", storm.Reason);
        cmd.Parameters.AddWithValue("rules", storm.Active ? "storm" : "standard");
        cmd.Parameters.AddWithValue("count", storm.SignalsLastHour);
        return await cmd.ExecuteNonQueryAsync(ct) == 1 ? storm : null;
    }

    private NpgsqlBatchCommand UpsertOutage(Outage o, NetworkTopology net)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO oms_outage_events (id, number, event_id, status, severity, confidence_score, affected_customers_count,
                device_id, device_kind, feeder_id, substation_id, location, first_detected_at, confirmed_at, probable_at, restored_at,
                has_hazard, explanation, etr, etr_source, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ST_SetSRID(ST_MakePoint($12, $13), 4326)::geography,
                    $14, $15, $16, $17, $18, $19, $20, $21, now(), now())
            ON CONFLICT (number) DO UPDATE SET status = EXCLUDED.status, severity = EXCLUDED.severity,
                confidence_score = EXCLUDED.confidence_score, affected_customers_count = EXCLUDED.affected_customers_count,
                device_id = EXCLUDED.device_id, device_kind = EXCLUDED.device_kind, location = EXCLUDED.location,
                first_detected_at = EXCLUDED.first_detected_at, confirmed_at = EXCLUDED.confirmed_at,
                probable_at = EXCLUDED.probable_at, restored_at = EXCLUDED.restored_at, has_hazard = EXCLUDED.has_hazard,
                explanation = EXCLUDED.explanation, etr = EXCLUDED.etr, etr_source = EXCLUDED.etr_source, updated_at = now()
            """);
        int d = o.Device;
        void Add(object? value) => cmd.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        Add(_ids[o.Number]);
        Add(o.Number);
        Add(o.EventId);
        Add(StatusName(o.Status));
        Add(o.Severity.ToString().ToLowerInvariant());
        Add((decimal)o.Confidence);
        Add(o.AffectedCustomers);
        Add(net.Ids[d]);
        Add(net.Kinds[d] == NodeKind.Customer ? "service" : net.Kinds[d].ToWire());
        Add(net.Feeders[d] >= 0 ? net.Ids[net.Feeders[d]] : null);
        Add(net.Ids[net.Substations[d]]);
        Add(net.Lons[d]);
        Add(net.Lats[d]);
        Add(o.FirstDetectedAt);
        Add(o.ConfirmedAt);
        Add(o.ProbableAt);
        Add(o.RestoredAt);
        Add(o.HasHazard);
        cmd.Parameters.Add(new NpgsqlParameter { Value = o.Explanation is null ? DBNull.Value : JsonSerializer.Serialize(o.Explanation, JsonOptions), NpgsqlDbType = NpgsqlDbType.Jsonb });
        Add(o.Etr);
        Add(o.Etr is null ? null : "operator");
        return cmd;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static async Task WriteStateAsync(NpgsqlConnection connection, CorrelationEngine engine, long passes, Watermarks taken, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE oms_correlation_state SET processed_until = @until, next_outage_number = @next, passes = @passes, updated_at = now() WHERE id = 1;
            UPDATE oms_correlation_watermarks w SET seq = u.seq FROM unnest(@source, @seq) AS u(source, seq)
             WHERE w.source_type = u.source AND w.seq <> u.seq;
            """, connection);
        cmd.Parameters.AddWithValue("until", (object?)engine.Clock ?? DBNull.Value);
        cmd.Parameters.AddWithValue("next", engine.NextOutageNumber);
        cmd.Parameters.AddWithValue("passes", passes);
        cmd.Parameters.AddWithValue("source", SignalReader.Sources.Select(SignalTypes.ToWire).ToArray());
        cmd.Parameters.AddWithValue("seq", SignalReader.Sources.Select(s => taken[s]).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static string StatusName(OutageStatus? status) => status switch
    {
        null => null!,
        OutageStatus.Unconfirmed => "unconfirmed",
        OutageStatus.Probable => "probable",
        OutageStatus.Confirmed => "confirmed",
        OutageStatus.Restored => "restored",
        OutageStatus.Momentary => "momentary",
        OutageStatus.Merged => "merged",
        _ => "cancelled",
    };

    private static async Task Exec(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
