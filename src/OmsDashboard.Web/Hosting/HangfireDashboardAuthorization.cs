using System.Net;
using Hangfire.Dashboard;
using OmsDashboard.Data.Identity;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Hosting;

/// <summary>
/// <c>/hangfire</c> is for administrators (<see cref="OmsPolicies.ManageUsers"/>'s role): open from
/// the machine itself (loopback), otherwise only to a signed-in Admin or a caller whose API key
/// holds the admin scope. The request's user is the default scheme's (session or key).
/// </summary>
public sealed class HangfireDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var remote = http.Connection.RemoteIpAddress;
        if (remote is not null && IPAddress.IsLoopback(remote) && http.Request.Headers["X-Forwarded-For"].Count == 0)
        {
            return true;
        }
        var user = http.User;
        return user.Identity?.IsAuthenticated == true && (user.IsInRole(OmsRoles.Admin) || user.HasClaim(OmsClaims.Scope, Data.Entities.ApiKeyScopes.Admin));
    }
}
