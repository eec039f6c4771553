namespace OmsDashboard.Data.Identity;

/// <summary>
/// The roles of signed-in users (contract §5). They live beside the identity store because its
/// migration seeds them; the web host's policies (<c>OmsPolicies</c>) say what each may do.
/// </summary>
public static class OmsRoles
{
    /// <summary>Control-room operator: watches and acts on outages, edits correlation rules.</summary>
    public const string Operator = "Operator";
    /// <summary>Field crew lead: acts on outages, may not change rules.</summary>
    public const string CrewLead = "CrewLead";
    /// <summary>Reads everything, changes nothing.</summary>
    public const string Manager = "Manager";
    /// <summary>Everything, plus users and the job dashboard.</summary>
    public const string Admin = "Admin";

    /// <summary>Every role, in the order the user administration lists them.</summary>
    public static readonly string[] All = [Operator, CrewLead, Manager, Admin];
}
