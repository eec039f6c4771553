using Npgsql;
using OmsDashboard.Data.Operations;
using OmsDashboard.Domain.Correlation;

namespace OmsDashboard.Web.Correlation;

/// <summary>What became of an operator action (the API's and the dashboard's answer).</summary>
/// <param name="State">applied, refused (with <paramref name="Error"/>) or queued (takes effect at a later tick).</param>
public sealed record OutageActionResult(long ActionId, string State, DateTimeOffset? EffectiveAt, string? Error);

/// <summary>Why an action was not even stored: bad input (field errors), an unknown outage, or an outage that is not active.</summary>
public sealed class OutageActionRejected(int status, string title, IDictionary<string, string[]> errors) : Exception(title)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public IDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>
/// Operator actions from the dashboard and the API: validated, stored as events, then applied by
/// a correlation pass run at once, so the operator sees the result (and every other screen gets
/// the push) within the request. The engine checks each action again when it applies it; if the
/// outage ended in between the action is stored as refused, with the reason.
/// </summary>
public sealed class OutageActionService(NpgsqlDataSource dataSource, IPassRunner runner, TimeProvider time)
{
    public const int MaxReasonLength = 2000;

    public async Task<OutageActionResult> ActAsync(OperatorActionRequest request, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (request.Reason is { Length: > MaxReasonLength }) errors["reason"] = [$"at most {MaxReasonLength} characters"];
        if (request.Type == OperatorActionType.Cancel && string.IsNullOrWhiteSpace(request.Reason)) errors["reason"] = ["say why it is a false alarm"];
        switch (request.Type)
        {
            case OperatorActionType.Move when string.IsNullOrWhiteSpace(request.DeviceId):
                errors["deviceId"] = ["the device to move the prediction to is required"];
                break;
            case OperatorActionType.Merge when request.OtherOutageId is null:
                errors["mergeOutageId"] = ["the outage to merge into this one is required"];
                break;
            case OperatorActionType.Merge when request.OtherOutageId == request.OutageId:
                errors["mergeOutageId"] = ["an outage cannot merge into itself"];
                break;
            case OperatorActionType.SetEtr when request.Etr is null:
                errors["etr"] = ["the estimated restoration time is required"];
                break;
            case OperatorActionType.SetEtr when request.Etr <= now:
                errors["etr"] = ["must be in the future"];
                break;
            case OperatorActionType.Restore when request.RestoredAt > now:
                errors["restoredAt"] = ["cannot be in the future"];
                break;
        }
        if (errors.Count > 0) throw new OutageActionRejected(400, "Invalid outage action", errors);

        var outage = await ReadOutageAsync(request.OutageId, ct)
            ?? throw new OutageActionRejected(404, "No such outage", new Dictionary<string, string[]> { ["id"] = [$"no outage {request.OutageId}"] });
        if (!outage.Active)
        {
            throw new OutageActionRejected(409, "The outage is not active",
                new Dictionary<string, string[]> { ["id"] = [$"{outage.EventId} is {outage.Status}"] });
        }
        if (request.Type == OperatorActionType.Restore && request.RestoredAt < outage.FirstDetectedAt)
        {
            errors["restoredAt"] = [$"is before the outage began ({outage.FirstDetectedAt:u})"];
        }
        if (request.Type == OperatorActionType.Move && request.DeviceId is { } device && !await DeviceOnFeederAsync(device, outage.FeederId, ct))
        {
            errors["deviceId"] = [$"no device '{device}' on feeder {outage.FeederId}"];
        }
        if (request.Type == OperatorActionType.Merge && request.OtherOutageId is { } otherId)
        {
            var other = await ReadOutageAsync(otherId, ct);
            if (other is null) errors["mergeOutageId"] = [$"no outage {otherId}"];
            else if (!other.Active) errors["mergeOutageId"] = [$"{other.EventId} is {other.Status}"];
            else if (other.FeederId != outage.FeederId) errors["mergeOutageId"] = [$"{other.EventId} is on feeder {other.FeederId}, not {outage.FeederId}"];
        }
        if (errors.Count > 0) throw new OutageActionRejected(400, "Invalid outage action", errors);

        var (action, error) = await OperatorActionStore.AddAsync(dataSource, request with { At = now }, ct);
        if (action is null) throw new OutageActionRejected(404, "No such outage", new Dictionary<string, string[]> { ["id"] = [error!] });
        await runner.RunOnceAsync(null, ct);
        var stored = await OperatorActionStore.GetAsync(dataSource, action.Id, ct);
        if (stored is { State: "queued", EffectiveAt: { } effective })
        {
            // The engine applies events tick by tick (5 s) and the current tick is still open: close
            // it now rather than make the operator wait for the next pass. The clock moves at most
            // one tick ahead; signals of that tick arriving later are applied as late arrivals.
            await runner.RunOnceAsync(effective.AddSeconds(5), ct);
            stored = await OperatorActionStore.GetAsync(dataSource, action.Id, ct);
        }
        return new OutageActionResult(action.Id, stored?.State ?? "pending", stored?.EffectiveAt, stored?.Error);
    }

    private sealed record OutageState(string EventId, string Status, bool Active, string? FeederId, DateTimeOffset FirstDetectedAt);

    private async Task<OutageState?> ReadOutageAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT event_id, status, feeder_id, first_detected_at FROM oms_outage_events WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        string status = reader.GetString(1);
        return new OutageState(reader.GetString(0), status, status is "unconfirmed" or "probable" or "confirmed",
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3));
    }

    private async Task<bool> DeviceOnFeederAsync(string device, string? feeder, CancellationToken ct)
    {
        // A protective device, a transformer, or the feeder head itself.
        await using var cmd = dataSource.CreateCommand("""
            SELECT @d = @f
                OR EXISTS (SELECT 1 FROM network_devices WHERE id = @d AND feeder_id = @f)
                OR EXISTS (SELECT 1 FROM network_distribution_points WHERE id = @d AND feeder_id = @f)
            """);
        cmd.Parameters.AddWithValue("d", device);
        cmd.Parameters.AddWithValue("f", (object?)feeder ?? DBNull.Value);
        return await cmd.ExecuteScalarAsync(ct) is true;
    }
}
