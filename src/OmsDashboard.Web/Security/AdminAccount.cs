using Microsoft.Extensions.Options;
using OmsDashboard.Data.Identity;

namespace OmsDashboard.Web.Security;

/// <summary>The <c>Oms:Admin</c> settings: the account made at first start.</summary>
public sealed class AdminAccountOptions
{
    public const string Section = "Oms:Admin";

    /// <summary>The variable <c>./run.sh</c> fills from <c>.oms/admin-password</c>; wins over <see cref="Password"/>.</summary>
    public const string PasswordVariable = "OMS_ADMIN_PASSWORD";

    /// <summary>The administrator's user name. Defaults to <c>admin</c>.</summary>
    public string UserName { get; set; } = "admin";

    /// <summary>
    /// Its password when the account is made (a secret: keep it in the environment). Empty: one is
    /// generated and written to the log once. Changing it later does not change an existing
    /// account's password (the administration page does).
    /// </summary>
    public string Password { get; set; } = "";
}

/// <summary>
/// At start-up, before requests (the database is migrated by then): makes sure the configured
/// administrator exists and is in the Admin role. Made with the configured password, or a
/// generated one printed to the log this once — only its hash is kept.
/// </summary>
internal sealed class AdminAccountProvisioner(UserAdministration users, IOptions<AdminAccountOptions> options, IConfiguration configuration,
    ILogger<AdminAccountProvisioner> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        string userName = options.Value.UserName;
        string? password = configuration[AdminAccountOptions.PasswordVariable];
        if (string.IsNullOrEmpty(password))
        {
            password = string.IsNullOrEmpty(options.Value.Password) ? null : options.Value.Password;
        }
        var outcome = await users.EnsureAdminAsync(userName, password, cancellationToken);
        switch (outcome)
        {
            case AdminOutcome.Created { GeneratedPassword: { } generated }:
                // Shown this once: only its hash is stored. A newcomer reads it off the console.
                logger.LogWarning("OmsDashboard admin account '{UserName}' created. Password: {Password}  — shown once; sign in at {Path} and keep it safe. Set {Variable} to choose your own.",
                    userName, generated, OmsAuthentication.SignInPath, AdminAccountOptions.PasswordVariable);
                break;
            case AdminOutcome.Created:
                logger.LogInformation("OmsDashboard admin account '{UserName}' created with the configured password", userName);
                break;
            case AdminOutcome.RoleRestored:
                logger.LogWarning("The configured admin account '{UserName}' was not in the {Role} role; it is again", userName, OmsRoles.Admin);
                break;
            case AdminOutcome.Failed failed:
                throw new InvalidOperationException($"The admin account '{userName}' cannot be made: {failed.Error} (check Oms:Admin:UserName and {AdminAccountOptions.PasswordVariable}).");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
