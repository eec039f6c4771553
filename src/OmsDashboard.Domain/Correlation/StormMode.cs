namespace OmsDashboard.Domain.Correlation;

/// <summary>Storm-mode thresholds; deactivation sits below activation (hysteresis).</summary>
public sealed record StormSettings(int ActivationSignalsPerHour = 100, int DeactivationSignalsPerHour = 50, TimeSpan? MinimumActive = null)
{
    public TimeSpan MinimumActiveDuration => MinimumActive ?? TimeSpan.FromMinutes(30);
}

/// <summary>What storm mode is now and why.</summary>
public sealed record StormState(bool Active, DateTimeOffset? Since, string Reason, int SignalsLastHour, bool Manual);

/// <summary>
/// Switches storm mode on when outage signals in the last hour (event time) reach the activation
/// threshold, and off when they fall to the deactivation threshold after a minimum time on —
/// so a storm's lulls do not flap the rule set. An operator's override wins until cleared.
/// Counts are kept per minute in a ring, so each signal costs O(1).
/// </summary>
public sealed class StormModeMonitor(StormSettings settings)
{
    private readonly int[] _perMinute = new int[60];
    private long _currentMinute = long.MinValue;
    private int _total;
    private bool? _override;

    public StormSettings Settings { get; set; } = settings;

    public StormState State { get; private set; } = new(false, null, "normal volume", 0, false);

    /// <summary>Raised (inside <see cref="Observe"/> or <see cref="Evaluate"/>) when storm mode switches.</summary>
    public event Action<StormState>? Changed;

    public void Observe(DateTimeOffset occurredAt)
    {
        long minute = occurredAt.UtcTicks / TimeSpan.TicksPerMinute;
        Roll(minute);
        if (minute > _currentMinute - 60)
        {
            _perMinute[(int)(((minute % 60) + 60) % 60)]++;
            _total++;
        }
    }

    /// <summary>Forces storm mode on or off; null returns to automatic.</summary>
    public void Override(bool? active, DateTimeOffset at, string who)
    {
        _override = active;
        if (active is { } on && on != State.Active)
        {
            Switch(on, at, $"switched {(on ? "on" : "off")} by {who}", manual: true);
        }
        else if (active is null)
        {
            State = State with { Manual = false };
            Evaluate(at);
        }
    }

    public StormState Evaluate(DateTimeOffset now)
    {
        Roll(now.UtcTicks / TimeSpan.TicksPerMinute);
        State = State with { SignalsLastHour = _total };
        if (_override is not null)
        {
            return State;
        }
        if (!State.Active && _total >= Settings.ActivationSignalsPerHour)
        {
            Switch(true, now, $"{_total} outage signals in the last hour (threshold {Settings.ActivationSignalsPerHour})", manual: false);
        }
        else if (State.Active && _total <= Settings.DeactivationSignalsPerHour && State.Since is { } since
                 && now - since >= Settings.MinimumActiveDuration)
        {
            Switch(false, now, $"{_total} outage signals in the last hour (at or below {Settings.DeactivationSignalsPerHour})", manual: false);
        }
        return State;
    }

    /// <summary>The operator's override (null: automatic).</summary>
    public bool? OverrideValue => _override;

    /// <summary>Writes the counting ring, the override and the state (for an engine snapshot).</summary>
    internal void WriteTo(BinaryWriter w)
    {
        foreach (int n in _perMinute) w.Write7BitEncodedInt(n);
        w.Write(_currentMinute);
        w.Write7BitEncodedInt(_total);
        w.Write((byte)(_override is null ? 0 : _override.Value ? 2 : 1));
        w.Write(State.Active);
        SnapshotIo.WriteTime(w, State.Since);
        w.Write(State.Reason);
        w.Write7BitEncodedInt(State.SignalsLastHour);
        w.Write(State.Manual);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; the settings stay those given at construction.</summary>
    internal void ReadFrom(BinaryReader r)
    {
        for (int i = 0; i < _perMinute.Length; i++) _perMinute[i] = r.Read7BitEncodedInt();
        _currentMinute = r.ReadInt64();
        _total = r.Read7BitEncodedInt();
        _override = r.ReadByte() switch
        {
            0 => null,
            1 => false,
            2 => true,
            var b => throw new InvalidDataException($"storm override byte {b}"),
        };
        bool active = r.ReadBoolean();
        var since = SnapshotIo.ReadTime(r);
        string reason = r.ReadString();
        int count = r.Read7BitEncodedInt();
        bool manual = r.ReadBoolean();
        State = new StormState(active, since, reason, count, manual);
    }

    private void Switch(bool on, DateTimeOffset at, string reason, bool manual)
    {
        State = new StormState(on, at, reason, _total, manual);
        Changed?.Invoke(State);
    }

    private void Roll(long minute)
    {
        if (_currentMinute == long.MinValue)
        {
            _currentMinute = minute;
            return;
        }
        if (minute <= _currentMinute) return;
        if (minute - _currentMinute >= 60)
        {
            Array.Clear(_perMinute);
            _total = 0;
        }
        else
        {
            for (long m = _currentMinute + 1; m <= minute; m++)
            {
                int slot = (int)(((m % 60) + 60) % 60);
                _total -= _perMinute[slot];
                _perMinute[slot] = 0;
            }
        }
        _currentMinute = minute;
    }
}
