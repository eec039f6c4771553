namespace OmsDashboard.Domain.Signals;

/// <summary>The four source systems.</summary>
public enum SourceSystem : byte
{
    Scada,
    Kaifa,
    Onu,
    Callcenter,
}

/// <summary>Every kind of signal the sources send, in one enum so the engine can switch on it.</summary>
public enum SignalType : byte
{
    // SCADA: a telemetered breaker, recloser or switch.
    ScadaTrip,
    ScadaLockout,
    ScadaClose,
    ScadaAlarm,
    // Kaifa smart meters.
    LastGasp,
    PowerRestore,
    // Fiber ONUs.
    DyingGasp,
    OnuOnline,
    /// <summary>Loss of optical signal without a dying gasp: a fiber fault, never a power outage.</summary>
    OnuLos,
    // Call center.
    CallNoPower,
    CallPartialPower,
    CallFlickering,
    CallWireDown,
    CallPowerRestored,
    // Answers to the engine's meter pings (restoration verification).
    PingAlive,
    PingDead,
}

/// <summary>
/// One signal as the engine sees it: source, id, type, event time (<see cref="OccurredAt"/>, the
/// axis every window and hold runs on), receive time, and the reference it carries to an asset:
/// a meter id, ONU id or device id (<see cref="AssetId"/>), or an account number and/or a place for
/// calls.
/// </summary>
public sealed record Signal(
    SourceSystem Source,
    string SourceId,
    SignalType Type,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    string? AssetId,
    string? AccountNumber = null,
    double? Lat = null,
    double? Lon = null)
{
    /// <summary>The wire spelling of the type, as the contract and the database write it.</summary>
    public string TypeName => SignalTypes.ToWire(Type);
}

public static class SignalTypes
{
    public static string ToWire(SignalType type) => type switch
    {
        SignalType.ScadaTrip => "trip",
        SignalType.ScadaLockout => "lockout",
        SignalType.ScadaClose => "close",
        SignalType.ScadaAlarm => "alarm",
        SignalType.LastGasp => "last_gasp",
        SignalType.PowerRestore => "power_restore",
        SignalType.DyingGasp => "dying_gasp",
        SignalType.OnuOnline => "online",
        SignalType.OnuLos => "los",
        SignalType.CallNoPower => "no_power",
        SignalType.CallPartialPower => "partial_power",
        SignalType.CallFlickering => "flickering",
        SignalType.CallWireDown => "wire_down",
        SignalType.CallPowerRestored => "power_restored",
        SignalType.PingAlive => "ping_alive",
        SignalType.PingDead => "ping_dead",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParse(SourceSystem source, string text, out SignalType type)
    {
        type = (source, text) switch
        {
            (SourceSystem.Scada, "trip") => SignalType.ScadaTrip,
            (SourceSystem.Scada, "lockout") => SignalType.ScadaLockout,
            (SourceSystem.Scada, "close") => SignalType.ScadaClose,
            (SourceSystem.Scada, "alarm") => SignalType.ScadaAlarm,
            (SourceSystem.Kaifa, "last_gasp") => SignalType.LastGasp,
            (SourceSystem.Kaifa, "power_restore") => SignalType.PowerRestore,
            (SourceSystem.Kaifa, "ping_alive") => SignalType.PingAlive,
            (SourceSystem.Kaifa, "ping_dead") => SignalType.PingDead,
            (SourceSystem.Onu, "dying_gasp") => SignalType.DyingGasp,
            (SourceSystem.Onu, "online") => SignalType.OnuOnline,
            (SourceSystem.Onu, "los") => SignalType.OnuLos,
            (SourceSystem.Callcenter, "no_power") => SignalType.CallNoPower,
            (SourceSystem.Callcenter, "partial_power") => SignalType.CallPartialPower,
            (SourceSystem.Callcenter, "flickering") => SignalType.CallFlickering,
            (SourceSystem.Callcenter, "wire_down") => SignalType.CallWireDown,
            (SourceSystem.Callcenter, "power_restored") => SignalType.CallPowerRestored,
            _ => (SignalType)255,
        };
        return (byte)type != 255;
    }

    public static string ToWire(SourceSystem source) => source switch
    {
        SourceSystem.Scada => "scada",
        SourceSystem.Kaifa => "kaifa",
        SourceSystem.Onu => "onu",
        SourceSystem.Callcenter => "callcenter",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };
}
