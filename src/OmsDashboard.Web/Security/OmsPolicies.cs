using System.Security.Claims;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Web.Security;

/// <summary>
/// The authorization policies of the API (contract §5). Each is satisfied by an API key that
/// carries the scope, or by a signed-in user in one of the roles listed in <see cref="RolesFor"/>
/// (the hook for user sign-in: a cookie or OIDC scheme only has to put <see cref="ClaimTypes.Role"/>
/// claims on its users).
/// </summary>
public static class OmsPolicies
{
    /// <summary>GET endpoints and the real-time hub: scope <c>read</c>.</summary>
    public const string Read = "Read";
    /// <summary><c>POST /api/oms/events/{source}</c>: scope <c>ingest</c>, and the source when the key is limited to some.</summary>
    public const string Ingest = "Ingest";
    /// <summary>Correlate, outage actions, crew updates: scope <c>operate</c>.</summary>
    public const string Operate = "Operate";
    /// <summary>Topology import and configuration: scope <c>admin</c>.</summary>
    public const string Admin = "Admin";
    /// <summary>The Rules page (rules, weights, storm settings, audit trail): scope <c>read</c>.</summary>
    public const string ViewRules = "ViewRules";
    /// <summary>Changing rules and forcing storm mode: scope <c>admin</c>; crew leads and managers may not.</summary>
    public const string EditRules = "EditRules";

    /// <summary>
    /// Which users' roles satisfy a policy. Managers read; operators and crew leads also operate;
    /// administrators may do everything. Ingestion is for source systems' keys: only an
    /// administrator's session may send signals by hand.
    /// </summary>
    public static IReadOnlyList<string> RolesFor(string policy) => policy switch
    {
        Read => [OmsRoles.Operator, OmsRoles.CrewLead, OmsRoles.Manager, OmsRoles.Admin],
        Operate => [OmsRoles.Operator, OmsRoles.CrewLead, OmsRoles.Admin],
        Admin => [OmsRoles.Admin],
        Ingest => [OmsRoles.Admin],
        // Crew leads work from trucks and do not tune the correlation; managers see, operators act.
        ViewRules => [OmsRoles.Operator, OmsRoles.Manager, OmsRoles.Admin],
        EditRules => [OmsRoles.Operator, OmsRoles.Admin],
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "not an OMS policy"),
    };

    /// <summary>The API key scope that satisfies a policy.</summary>
    public static string ScopeFor(string policy) => policy switch
    {
        Read => ApiKeyScopes.Read,
        Operate => ApiKeyScopes.Operate,
        Admin => ApiKeyScopes.Admin,
        Ingest => ApiKeyScopes.Ingest,
        ViewRules => ApiKeyScopes.Read,
        EditRules => ApiKeyScopes.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "not an OMS policy"),
    };

    public static readonly string[] All = [Read, Ingest, Operate, Admin, ViewRules, EditRules];
}

/// <summary>The roles of signed-in users (contract §5).</summary>
public static class OmsRoles
{
    public const string Operator = "Operator";
    public const string CrewLead = "CrewLead";
    public const string Manager = "Manager";
    public const string Admin = "Admin";
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
