using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Domain.Correlation;

namespace OmsDashboard.Data.Operations;

/// <summary>An operator's request as the dashboard or the API makes it (outages by their database ids).</summary>
public sealed record OperatorActionRequest(
    Guid OutageId,
    OperatorActionType Type,
    string User,
    string? Reason = null,
    string? DeviceId = null,
    Guid? OtherOutageId = null,
    DateTimeOffset? RestoredAt = null,
    DateTimeOffset? Etr = null,
    DateTimeOffset? At = null);

/// <summary>A stored action and what became of it.</summary>
public sealed record StoredOperatorAction(long Id, Guid OutageId, string Action, string User, DateTimeOffset RequestedAt, string State,
    DateTimeOffset? EffectiveAt, string? Error);

/// <summary>
/// Stores operator actions and hands them to the correlation pass (oms_operator_actions; see
/// Sql/V0004). The pass is the only writer of their state after 'pending'.
/// </summary>
public static class OperatorActionStore
{
    public static string ToWire(OperatorActionType type) => type switch
    {
        OperatorActionType.Confirm => "confirm",
        OperatorActionType.Cancel => "cancel",
        OperatorActionType.Merge => "merge",
        OperatorActionType.Move => "move",
        OperatorActionType.Restore => "restore",
        OperatorActionType.SetEtr => "set_etr",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool TryParse(string? wire, out OperatorActionType type)
    {
        switch (wire)
        {
            case "confirm": type = OperatorActionType.Confirm; return true;
            case "cancel": type = OperatorActionType.Cancel; return true;
            case "merge": type = OperatorActionType.Merge; return true;
            case "move": type = OperatorActionType.Move; return true;
            case "restore": type = OperatorActionType.Restore; return true;
            case "set_etr": type = OperatorActionType.SetEtr; return true;
            default: type = default; return false;
        }
    }

    /// <summary>
    /// Resolves the outages' engine numbers and stores the request as 'pending'. Returns the
    /// action (as the engine will see it, its time being the request's) or the reason it cannot be
    /// stored: an unknown outage, or one the engine never numbered.
    /// </summary>
    public static async Task<(OperatorAction? Action, string? Error)> AddAsync(NpgsqlDataSource dataSource, OperatorActionRequest request, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        long? number = await NumberOfAsync(connection, request.OutageId, ct);
        if (number is null) return (null, $"no outage {request.OutageId}");
        long? other = null;
        if (request.OtherOutageId is { } otherId)
        {
            other = await NumberOfAsync(connection, otherId, ct);
            if (other is null) return (null, $"no outage {otherId} to merge");
        }
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO oms_operator_actions (outage_event_id, outage_number, action, user_name, reason, device_id, other_outage_number, restored_at, etr, requested_at)
            VALUES (@outage, @number, @action, @user, @reason, @device, @other, @restored, @etr, coalesce(@at, now()))
            RETURNING id, requested_at
            """, connection);
        cmd.Parameters.AddWithValue("outage", request.OutageId);
        cmd.Parameters.AddWithValue("number", number.Value);
        cmd.Parameters.AddWithValue("action", ToWire(request.Type));
        cmd.Parameters.AddWithValue("user", request.User);
        cmd.Parameters.AddWithValue("reason", NpgsqlDbType.Text, (object?)request.Reason ?? DBNull.Value);
        cmd.Parameters.AddWithValue("device", NpgsqlDbType.Text, (object?)request.DeviceId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("other", NpgsqlDbType.Bigint, (object?)other ?? DBNull.Value);
        cmd.Parameters.AddWithValue("restored", NpgsqlDbType.TimestampTz, (object?)request.RestoredAt ?? DBNull.Value);
        cmd.Parameters.AddWithValue("etr", NpgsqlDbType.TimestampTz, (object?)request.Etr ?? DBNull.Value);
        cmd.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, (object?)request.At ?? DBNull.Value);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var action = new OperatorAction(reader.GetInt64(0), request.Type, number.Value, reader.GetFieldValue<DateTimeOffset>(1), request.User,
            request.Reason, request.DeviceId, other, request.RestoredAt, request.Etr);
        return (action, null);
    }

    private static async Task<long?> NumberOfAsync(NpgsqlConnection connection, Guid id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT number FROM oms_outage_events WHERE id = @id", connection);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(ct) is long n ? n : null;
    }

    public static async Task<StoredOperatorAction?> GetAsync(NpgsqlDataSource dataSource, long id, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT id, outage_event_id, action, user_name, requested_at, state, effective_at, error FROM oms_operator_actions WHERE id = @id
            """);
        cmd.Parameters.AddWithValue("id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredOperatorAction(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
            reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetString(7));
    }

    /// <summary>New actions, oldest first, for the pass to take in.</summary>
    public static Task<List<OperatorAction>> ReadPendingAsync(NpgsqlConnection connection, CancellationToken ct) =>
        ReadAsync(connection, "state = 'pending' ORDER BY id", useEffectiveTime: false, ct);

    /// <summary>
    /// Every action the engine has taken in, at the time it took effect, for a rebuild by replay;
    /// with <paramref name="afterPass"/>, only those passes after it took in (the rest are in the
    /// engine snapshot of that pass).
    /// </summary>
    public static Task<List<OperatorAction>> ReadForReplayAsync(NpgsqlConnection connection, CancellationToken ct, long afterPass = -1) =>
        ReadAsync(connection, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"state <> 'pending' AND coalesce(queued_pass, 0) > {afterPass} ORDER BY effective_at, id"), useEffectiveTime: true, ct);

    private static async Task<List<OperatorAction>> ReadAsync(NpgsqlConnection connection, string where, bool useEffectiveTime, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT id, action, outage_number, {(useEffectiveTime ? "effective_at" : "requested_at")}, user_name, reason, device_id, other_outage_number, restored_at, etr
              FROM oms_operator_actions WHERE {where}
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var actions = new List<OperatorAction>();
        while (await reader.ReadAsync(ct))
        {
            TryParse(reader.GetString(1), out var type);
            actions.Add(new OperatorAction(reader.GetInt64(0), type, reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
        }
        return actions;
    }

    /// <summary>Records that the engine took these actions in, with the time each takes effect.</summary>
    public static async Task MarkQueuedAsync(NpgsqlConnection connection, IReadOnlyList<(long Id, DateTimeOffset EffectiveAt)> queued, long pass, CancellationToken ct)
    {
        if (queued.Count == 0) return;
        await using var cmd = new NpgsqlCommand("""
            UPDATE oms_operator_actions a SET state = 'queued', effective_at = u.at, queued_pass = @pass
              FROM unnest(@id, @at) AS u(id, at) WHERE a.id = u.id
            """, connection);
        cmd.Parameters.AddWithValue("pass", pass);
        cmd.Parameters.AddWithValue("id", queued.Select(q => q.Id).ToArray());
        cmd.Parameters.AddWithValue("at", queued.Select(q => q.EffectiveAt).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records what the engine did with each action it applied.</summary>
    public static async Task WriteOutcomesAsync(NpgsqlConnection connection, IReadOnlyList<ActionOutcome> outcomes, CancellationToken ct)
    {
        if (outcomes.Count == 0) return;
        await using var cmd = new NpgsqlCommand("""
            UPDATE oms_operator_actions a SET state = CASE WHEN u.error IS NULL THEN 'applied' ELSE 'refused' END, effective_at = u.at, error = u.error
              FROM unnest(@id, @at, @error) AS u(id, at, error) WHERE a.id = u.id
            """, connection);
        cmd.Parameters.AddWithValue("id", outcomes.Select(o => o.Action.Id).ToArray());
        cmd.Parameters.AddWithValue("at", outcomes.Select(o => o.EffectiveAt).ToArray());
        cmd.Parameters.AddWithValue("error", NpgsqlDbType.Array | NpgsqlDbType.Text, outcomes.Select(o => (object?)o.Error ?? DBNull.Value).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
