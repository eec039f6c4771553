using System.Net;
using Hangfire.Dashboard;

namespace OmsDashboard.Web.Hosting;

/// <summary>
/// <c>/hangfire</c> is for administrators: open from the machine itself (loopback), otherwise only
/// to a signed-in user in the Admin role or a caller whose API key holds the admin scope.
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
        return user.Identity?.IsAuthenticated == true && (user.IsInRole("Admin") || user.HasClaim("scope", "admin"));
    }
}
