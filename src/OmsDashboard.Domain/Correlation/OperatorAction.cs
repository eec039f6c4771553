namespace OmsDashboard.Domain.Correlation;

/// <summary>What an operator or crew lead can do to an outage.</summary>
public enum OperatorActionType : byte
{
    /// <summary>The outage is real (a crew saw it, a customer was called back).</summary>
    Confirm,
    /// <summary>False alarm: nobody is out; the evidence is set aside.</summary>
    Cancel,
    /// <summary>Another outage is the same event: it merges into this one.</summary>
    Merge,
    /// <summary>The fault is at another device: the prediction moves there and stays.</summary>
    Move,
    /// <summary>Power is back (at a given time), e.g. reported by the crew.</summary>
    Restore,
    /// <summary>Estimated time of restoration.</summary>
    SetEtr,
}

/// <summary>
/// An operator's action on an outage, stored and replayed like a signal: the engine applies it
/// at its time, in order with the signals, so a rebuild by replay (ADR 0007) ends in the same
/// state as the live engine did.
/// </summary>
/// <param name="Id">Stored id: orders actions of the same instant.</param>
/// <param name="OutageNumber">The engine number of the outage acted on.</param>
/// <param name="At">When it takes effect (event time).</param>
/// <param name="User">Who did it, for the timeline.</param>
/// <param name="DeviceId">Move: the device the prediction moves to.</param>
/// <param name="OtherOutageNumber">Merge: the outage merged into <paramref name="OutageNumber"/>.</param>
/// <param name="RestoredAt">Restore: when power came back (defaults to <paramref name="At"/>).</param>
/// <param name="Etr">SetEtr: the estimate.</param>
public sealed record OperatorAction(
    long Id,
    OperatorActionType Type,
    long OutageNumber,
    DateTimeOffset At,
    string User,
    string? Reason = null,
    string? DeviceId = null,
    long? OtherOutageNumber = null,
    DateTimeOffset? RestoredAt = null,
    DateTimeOffset? Etr = null);

/// <summary>What became of an operator action: applied, or refused with the reason (e.g. the outage ended meanwhile).</summary>
public sealed record ActionOutcome(OperatorAction Action, DateTimeOffset EffectiveAt, string? Error)
{
    public bool Applied => Error is null;
}
