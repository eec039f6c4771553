namespace OmsDashboard.Domain.Simulation;

/// <summary>What happens at a faulted device.</summary>
public enum FaultKind
{
    /// <summary>
    /// Everything downstream loses power for more than 5 minutes (IEEE 1366), or until the end of
    /// the run when the fault has no <see cref="FaultSpec.End"/>.
    /// </summary>
    Sustained,

    /// <summary>Everything downstream loses power for 5 minutes or less (IEEE 1366): counted in MAIFI, not an outage.</summary>
    Momentary,

    /// <summary>
    /// The fiber feeding the ONUs downstream is cut: they report loss of signal, nobody loses
    /// power. Must never become an electric outage.
    /// </summary>
    FiberCut,
}

/// <summary>
/// One fault to simulate: <paramref name="DeviceId"/> (a feeder head, recloser, fuse, switch,
/// transformer, or a customer for a service-drop fault) opens at <paramref name="Start"/> and is
/// closed again at <paramref name="End"/> (<c>null</c>: not restored within the run).
/// </summary>
/// <param name="StillOut">
/// Partial restoration of a <see cref="FaultKind.Sustained"/> fault: when the device is restored
/// at <paramref name="End"/>, these devices strictly under it (disjoint subtrees) stay open until
/// their own time, so their customers form nested outages.
/// </param>
public sealed record FaultSpec(
    string DeviceId,
    FaultKind Kind,
    DateTimeOffset Start,
    DateTimeOffset? End,
    IReadOnlyList<NestedOutage>? StillOut = null);

/// <summary>
/// A device under a faulted device that stays open after the faulted device is restored, until
/// <paramref name="Until"/> (<c>null</c>: not restored within the run).
/// </summary>
public sealed record NestedOutage(string DeviceId, DateTimeOffset? Until);
