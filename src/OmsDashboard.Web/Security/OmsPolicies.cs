using System.Security.Claims;
using OmsDashboard.Data.Entities;
using OmsDashboard.Data.Identity;

namespace OmsDashboard.Web.Security;

/// <summary>
/// Every authorization policy of the app, in one place (docs/decisions/0008).
/// <para>API policies (<see cref="Read"/>, <see cref="Operate"/>, <see cref="Admin"/>, <see cref="Ingest"/>,
/// contract §5) are met by an API key with the scope of <see cref="ScopeFor"/> or by a signed-in user
/// in one of the roles of <see cref="RolesFor"/> (<see cref="ClaimTypes.Role"/> claims).</para>
/// <para>Dashboard policies (<see cref="ViewDashboard"/>, <see cref="OperateOutages"/>,
/// <see cref="EditRules"/>, <see cref="ManageUsers"/>) are for signed-in users only: an API key never
/// opens a page.</para>
/// </summary>
public static class OmsPolicies
{
    /// <summary>GET endpoints and the real-time hub: scope <c>read</c>, or any role.</summary>
    public const string Read = "Read";
    /// <summary><c>POST /api/oms/events/{source}</c>: scope <c>ingest</c> (and the source when the key is limited to some). Keys only.</summary>
    public const string Ingest = "Ingest";
    /// <summary>Correlate, outage actions, crew updates: scope <c>operate</c>, or Operator, CrewLead, Admin.</summary>
    public const string Operate = "Operate";
    /// <summary>Topology import and configuration: scope <c>admin</c>, or Admin.</summary>
    public const string Admin = "Admin";
    /// <summary>The Rules page (rules, weights, storm settings, audit trail): operators, managers (read only) and admins.</summary>
    public const string ViewRules = "ViewRules";

    /// <summary>Every dashboard page: any signed-in user with one of the four roles.</summary>
    public const string ViewDashboard = "ViewDashboard";
    /// <summary>Acting on outages from the dashboard (confirm, cancel, restore, assign): crew leads act in the field.</summary>
    public const string OperateOutages = "OperateOutages";
    /// <summary>Changing correlation rules and storm settings: crew leads may not, managers only read.</summary>
    public const string EditRules = "EditRules";
    /// <summary>User administration and the Hangfire job dashboard.</summary>
    public const string ManageUsers = "ManageUsers";

    /// <summary>Which roles satisfy a policy.</summary>
    public static IReadOnlyList<string> RolesFor(string policy) => policy switch
    {
        Read or ViewDashboard => [OmsRoles.Operator, OmsRoles.CrewLead, OmsRoles.Manager, OmsRoles.Admin],
        Operate or OperateOutages => [OmsRoles.Operator, OmsRoles.CrewLead, OmsRoles.Admin],
        // Crew leads work from trucks and do not tune the correlation; managers see, operators act.
        ViewRules => [OmsRoles.Operator, OmsRoles.Manager, OmsRoles.Admin],
        EditRules => [OmsRoles.Operator, OmsRoles.Admin],
        Admin or ManageUsers => [OmsRoles.Admin],
        // Signals come from source systems' keys; a person types no meter readings. Keeping
        // ingestion away from sessions also keeps a browser (and a forged request riding its
        // cookie) from writing signals.
        Ingest => [],
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "not an OMS policy"),
    };

    /// <summary>The API key scope that satisfies an API policy; null for dashboard policies (users only).</summary>
    public static string? ScopeFor(string policy) => policy switch
    {
        Read => ApiKeyScopes.Read,
        Operate => ApiKeyScopes.Operate,
        Admin => ApiKeyScopes.Admin,
        Ingest => ApiKeyScopes.Ingest,
        ViewDashboard or OperateOutages or ViewRules or EditRules or ManageUsers => null,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "not an OMS policy"),
    };

    /// <summary>The API policies (contract §5).</summary>
    public static readonly string[] All = [Read, Ingest, Operate, Admin];

    /// <summary>The dashboard's policies.</summary>
    public static readonly string[] Dashboard = [ViewDashboard, OperateOutages, ViewRules, EditRules, ManageUsers];
}

/// <summary>Claim types of OMS principals.</summary>
public static class OmsClaims
{
    /// <summary>One claim per scope of an API key (<c>ingest</c>, <c>read</c>, <c>operate</c>, <c>admin</c>).</summary>
    public const string Scope = "oms:scope";
    /// <summary>One claim per source an ingest key is limited to; none when it may send for every source.</summary>
    public const string Source = "oms:source";
    /// <summary>The stored key's id.</summary>
    public const string ApiKeyId = "oms:api_key_id";
}

/// <summary>How roles read on screen.</summary>
public static class RoleLabels
{
    public static string For(string role) => role switch
    {
        OmsRoles.CrewLead => "Crew lead",
        OmsRoles.Admin => "Administrator",
        _ => role,
    };

    /// <summary>The user's roles, in <see cref="OmsRoles.All"/>'s order, as labels.</summary>
    public static string Of(ClaimsPrincipal user) =>
        string.Join(", ", OmsRoles.All.Where(user.IsInRole).Select(For));
}
