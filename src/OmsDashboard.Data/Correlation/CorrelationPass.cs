using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Data.Correlation;

/// <summary>What one pass did (the body of <c>POST /api/oms/correlate</c>).</summary>
public sealed record CorrelationPassResult(int ProcessedSignals, int Created, int Updated, int Restored, long DurationMs);

/// <summary>
/// One correlation pass: loads the signals not yet taken in, runs the engine up to <c>asOf</c>
/// (default: now), and writes outages, their sources and timeline, the signals' states, the
/// momentaries and the pass's watermark in one transaction.
/// <para>
/// The engine lives in memory between passes as a cache of what the database holds. It is
/// rebuilt from the database — every stored signal replayed up to the stored watermark — when
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

            var fresh = await SignalReader.ReadAsync(connection, "'pending'", MaxSignalsPerPass, ct);
            var queued = new List<Signal>(fresh.Count);
            foreach (var signal in fresh)
            {
                if (engine.Ingest(signal) == IngestOutcome.Accepted) queued.Add(signal);
            }
            var changes = engine.Advance(asOf ?? time.GetUtcNow());

            await Step("queued");
            await MarkQueuedAsync(connection, queued, ct);
            await WriteAsync(connection, engine, changes, ct);
            // A rebuild's replay swallows the storm switch it makes (e.g. an override cleared back
            // to automatic): the stored state must still follow the rebuilt engine.
            var stormCorrected = rebuilt && changes.StormChanged is null ? await CorrectStormStateAsync(connection, engine.Storm, ct) : null;
            await Step("state");
            await WriteStateAsync(connection, engine, state.Passes + 1, ct);
            await tx.CommitAsync(ct);
            _passesSeen = state.Passes + 1;
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

    private sealed record PassState(DateTimeOffset? ProcessedUntil, long NextOutageNumber, long Passes);

    private static async Task<PassState> ReadStateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT processed_until, next_outage_number, passes FROM oms_correlation_state WHERE id = 1 FOR UPDATE", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new PassState(reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Replays every signal the engine had taken in, up to the stored watermark.</summary>
    private async Task RebuildAsync(NpgsqlConnection connection, PassState state, EngineSettings settings, CancellationToken ct)
    {
        var network = await NetworkLoader.LoadAsync(dataSource, ct);
        var engine = new CorrelationEngine(network, settings.Options, settings.Storm);
        if (settings.ManualStorm is { } forced) engine.OverrideStormMode(forced, time.GetUtcNow(), "an operator (stored override)");
        _settingsVersion = settings.Version;
        foreach (var signal in await SignalReader.ReadAsync(connection, "'queued', 'correlated', 'unmatched'", int.MaxValue, ct))
        {
            engine.Ingest(signal);
        }
        if (state.ProcessedUntil is { } until)
        {
            engine.Advance(until);
        }
        _ids.Clear();
        _timelineWritten.Clear();
        await using (var cmd = new NpgsqlCommand("SELECT number, id FROM oms_outage_events WHERE number IS NOT NULL", connection))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) _ids[reader.GetInt64(0)] = reader.GetGuid(1);
        }
        foreach (var o in engine.Outages)
        {
            _timelineWritten[o.Number] = o.Timeline.Count;
        }
        _engine = engine;
    }

    private static async Task MarkQueuedAsync(NpgsqlConnection connection, List<Signal> queued, CancellationToken ct)
    {
        foreach (var group in queued.GroupBy(s => s.Source))
        {
            await using var cmd = new NpgsqlCommand(
                $"UPDATE {SignalReader.Table(group.Key)} SET correlation_state = 'queued' WHERE {SignalReader.IdColumn(group.Key)} = ANY(@ids) AND correlation_state = 'pending'", connection);
            cmd.Parameters.AddWithValue("ids", group.Select(s => s.SourceId).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
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
            cmd.Parameters.AddWithValue("actor", timeline.Select(_ => "system").ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await Step("sources");
        // 3. Evidence rows (a signal is evidence for one outage at a time).
        var evidence = new Dictionary<(SourceSystem, string), (Evidence E, long Outage)>();
        foreach (var o in changes.Outages.Keys)
        {
            foreach (var e in o.Evidence)
            {
                if (engine.EvidenceOutage(e.Source, e.SourceId) == o.Number) evidence[(e.Source, e.SourceId)] = (e, o.Number);
            }
        }
        if (evidence.Count > 0)
        {
            var rows = evidence.Values.ToList();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO oms_event_sources (outage_event_id, source_type, source_event_id, signal_type, detected_at, received_at, weight, customer_id, asset_id, correlated_at)
                SELECT u.outage, u.source, u.id, u.type, u.detected, u.received, u.weight, u.customer, u.asset, now()
                  FROM unnest(@outage, @source, @id, @type, @detected, @received, @weight, @customer, @asset)
                       AS u(outage, source, id, type, detected, received, weight, customer, asset)
                ON CONFLICT (source_type, source_event_id) DO UPDATE SET outage_event_id = EXCLUDED.outage_event_id
                WHERE oms_event_sources.outage_event_id IS DISTINCT FROM EXCLUDED.outage_event_id
                """, connection);
            cmd.Parameters.AddWithValue("outage", rows.Select(r => _ids[r.Outage]).ToArray());
            cmd.Parameters.AddWithValue("source", rows.Select(r => SignalTypes.ToWire(r.E.Source)).ToArray());
            cmd.Parameters.AddWithValue("id", rows.Select(r => r.E.SourceId).ToArray());
            cmd.Parameters.AddWithValue("type", rows.Select(r => SignalTypes.ToWire(r.E.Type)).ToArray());
            cmd.Parameters.AddWithValue("detected", rows.Select(r => r.E.OccurredAt).ToArray());
            cmd.Parameters.AddWithValue("received", rows.Select(r => r.E.ReceivedAt).ToArray());
            cmd.Parameters.AddWithValue("weight", rows.Select(r => (decimal)r.E.Weight).ToArray());
            cmd.Parameters.AddWithValue("customer", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.E.Customer >= 0 ? (object)net.Ids[r.E.Customer] : DBNull.Value).ToArray());
            cmd.Parameters.AddWithValue("asset", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => (object?)r.E.AssetId ?? DBNull.Value).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await Step("signals");
        // 4. The signals' own states: correlated (with their outage) or unmatched (with the reason).
        var applied = new Dictionary<(SourceSystem, string), AppliedSignal>();
        foreach (var s in changes.Signals) applied[(s.Signal.Source, s.Signal.SourceId)] = s;
        foreach (var group in applied.Values.GroupBy(s => s.Signal.Source))
        {
            var rows = group.ToList();
            await using var cmd = new NpgsqlCommand($"""
                UPDATE {SignalReader.Table(group.Key)} t
                   SET correlation_state = u.state, correlation_note = u.note, correlated_at = now(), outage_event_id = u.outage
                  FROM unnest(@id, @state, @note, @outage) AS u(id, state, note, outage)
                 WHERE t.{SignalReader.IdColumn(group.Key)} = u.id
                """, connection);
            cmd.Parameters.AddWithValue("id", rows.Select(r => r.Signal.SourceId).ToArray());
            cmd.Parameters.AddWithValue("state", rows.Select(r => r.Matched ? "correlated" : "unmatched").ToArray());
            cmd.Parameters.AddWithValue("note", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => (object?)r.Note ?? DBNull.Value).ToArray());
            cmd.Parameters.AddWithValue("outage", NpgsqlDbType.Array | NpgsqlDbType.Uuid,
                rows.Select(r => r.OutageNumber is { } n && _ids.TryGetValue(n, out var id) ? (object)id : DBNull.Value).ToArray());
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
                has_hazard, explanation, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ST_SetSRID(ST_MakePoint($12, $13), 4326)::geography,
                    $14, $15, $16, $17, $18, $19, now(), now())
            ON CONFLICT (number) DO UPDATE SET status = EXCLUDED.status, severity = EXCLUDED.severity,
                confidence_score = EXCLUDED.confidence_score, affected_customers_count = EXCLUDED.affected_customers_count,
                device_id = EXCLUDED.device_id, device_kind = EXCLUDED.device_kind, location = EXCLUDED.location,
                first_detected_at = EXCLUDED.first_detected_at, confirmed_at = EXCLUDED.confirmed_at,
                probable_at = EXCLUDED.probable_at, restored_at = EXCLUDED.restored_at, has_hazard = EXCLUDED.has_hazard,
                explanation = EXCLUDED.explanation, updated_at = now()
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
        return cmd;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static async Task WriteStateAsync(NpgsqlConnection connection, CorrelationEngine engine, long passes, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "UPDATE oms_correlation_state SET processed_until = @until, next_outage_number = @next, passes = @passes, updated_at = now() WHERE id = 1", connection);
        cmd.Parameters.AddWithValue("until", (object?)engine.Clock ?? DBNull.Value);
        cmd.Parameters.AddWithValue("next", engine.NextOutageNumber);
        cmd.Parameters.AddWithValue("passes", passes);
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
