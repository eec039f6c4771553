using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Simulation;

/// <summary>
/// What really happened for one simulated fault, to score the correlation engine against.
/// <see cref="FaultId"/> is the fault's position in the input (and in <see cref="SimulatedStorm.Truth"/>).
/// </summary>
/// <param name="DeviceNode">The device's node number in the network.</param>
/// <param name="DeviceKind">The device's kind; <see cref="NodeKind.Customer"/> for a service-drop fault.</param>
/// <param name="AffectedCustomerIds">
/// For <see cref="FaultKind.Sustained"/> and <see cref="FaultKind.Momentary"/>: every customer
/// downstream of the device (all of them lost power). For <see cref="FaultKind.FiberCut"/>: the
/// downstream customers that have an ONU (their ONU lost signal; nobody lost power).
/// </param>
/// <param name="Nested">The devices that stayed out after <see cref="End"/> (partial restoration).</param>
/// <param name="SignalsEmitted">How many signals of the storm this fault caused (see <see cref="SimulatedStorm.FaultIdOf"/>).</param>
public sealed record FaultTruth(
    int FaultId,
    string DeviceId,
    int DeviceNode,
    NodeKind DeviceKind,
    FaultKind Kind,
    DateTimeOffset Start,
    DateTimeOffset? End,
    IReadOnlyList<string> AffectedCustomerIds,
    IReadOnlyList<NestedOutageTruth> Nested,
    int SignalsEmitted)
{
    /// <summary>True when customers lost power (a sustained or momentary interruption), false for a fiber cut.</summary>
    public bool IsPowerInterruption => Kind != FaultKind.FiberCut;
}

/// <summary>
/// A nested outage left by a partial restoration: the device stayed open from the fault's start
/// until <paramref name="End"/> (<c>null</c>: not restored within the run) while its parent fault
/// was restored.
/// </summary>
public sealed record NestedOutageTruth(
    string DeviceId,
    int DeviceNode,
    NodeKind DeviceKind,
    DateTimeOffset? End,
    IReadOnlyList<string> AffectedCustomerIds);

/// <summary>
/// A telemetered device (feeder breaker or recloser) that tripped and reclosed because of a fault
/// further down its zone: a momentary of 1–3 s for its other customers, too short for any meter
/// to report.
/// </summary>
public sealed record ReclosingTruth(
    int CausedByFaultId,
    string DeviceId,
    int DeviceNode,
    DateTimeOffset TripAt,
    DateTimeOffset CloseAt);
