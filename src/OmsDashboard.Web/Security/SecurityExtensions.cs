using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using OmsDashboard.Data.Identity;

namespace OmsDashboard.Web.Security;

internal static class SecurityExtensions
{
    /// <summary>
    /// API keys and users' sessions behind one default scheme (<see cref="OmsAuthentication"/>),
    /// ASP.NET Core Identity on its own DbContext, the admin account of the configuration, and
    /// the policies of <see cref="OmsPolicies"/> (docs/decisions/0008).
    /// </summary>
    public static void AddOmsSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiKeyOptions>, ValidateApiKeyOptions>();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddHostedService<ApiKeyProvisioner>();

        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = OmsAuthentication.Scheme;
                o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(OmsAuthentication.Scheme, "API key or signed-in user", o => o.ForwardDefaultSelector = OmsAuthentication.SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(OmsAuthentication.ConfigureSession));

        builder.AddOmsIdentity();

        builder.Services.AddAuthorizationBuilder().AddOmsPolicies();
        builder.Services.AddSingleton<IAuthorizationHandler, OmsAccessHandler>();
        builder.Services.AddSingleton<IAuthorizationHandler, IngestSourceHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, OmsAuthorizationResultHandler>();

        // Blazor: the circuit's user, re-checked every minute against the store.
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, OmsRevalidatingAuthenticationStateProvider>();
    }

    /// <summary>
    /// The policies of <see cref="OmsPolicies"/>, defined here only (the app and the component tests use this).
    /// Which scheme may satisfy which policy is decided here, deliberately:
    /// <list type="bullet">
    /// <item>API policies take whatever the default scheme chose for the request (key or session),
    /// except <see cref="OmsPolicies.Ingest"/>, which looks at the API key only: a session on an ingestion
    /// call is not a caller at all (<c>401</c>, asking for a key).</item>
    /// <item>Dashboard policies look at the session only: a key never opens a page, and an anonymous
    /// browser is redirected to the sign-in page.</item>
    /// </list>
    /// </summary>
    public static AuthorizationBuilder AddOmsPolicies(this AuthorizationBuilder authorization)
    {
        foreach (string policy in OmsPolicies.All.Concat(OmsPolicies.Dashboard))
        {
            authorization.AddPolicy(policy, p =>
            {
                p.AddRequirements(new OmsAccessRequirement(policy, OmsPolicies.ScopeFor(policy), OmsPolicies.RolesFor(policy)));
                if (policy == OmsPolicies.Ingest)
                {
                    p.AddAuthenticationSchemes(ApiKeyDefaults.Scheme);
                    p.AddRequirements(new IngestSourceRequirement());
                }
                else if (OmsPolicies.Dashboard.Contains(policy))
                {
                    p.AddAuthenticationSchemes(OmsAuthentication.SessionScheme);
                }
            });
        }
        return authorization;
    }

    private static void AddOmsIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOmsIdentityStore().AddSignInManager();
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = OmsAuthentication.RevalidationInterval);
        builder.Services.AddOptions<AdminAccountOptions>().BindConfiguration(AdminAccountOptions.Section);
        builder.Services.AddHostedService<AdminAccountProvisioner>();
    }
}

/// <summary>The identity store with the app's rules, for the host and for tools and tests that make users.</summary>
public static class OmsIdentityServices
{
    /// <summary>
    /// Identity's user and role managers on <see cref="OmsIdentityDbContext"/> (over the process's
    /// <see cref="NpgsqlDataSource"/>), the password and lockout rules, and <see cref="UserAdministration"/>.
    /// </summary>
    public static IdentityBuilder AddOmsIdentityStore(this IServiceCollection services)
    {
        services.AddDbContext<OmsIdentityDbContext>((sp, o) => OmsIdentityDbContext.Configure(o, sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<UserAdministration>();
        return services.AddIdentityCore<OmsUser>(o =>
            {
                // Length over composition rules (NIST SP 800-63B): a long passphrase is fine
                // without digits or symbols; generated passwords are 23 characters.
                o.Password.RequiredLength = 12;
                o.Password.RequiredUniqueChars = 5;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = SignInRules.MaxFailedAttempts;
                o.Lockout.DefaultLockoutTimeSpan = SignInRules.LockoutDuration;
                o.User.RequireUniqueEmail = false;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<OmsIdentityDbContext>()
            .AddDefaultTokenProviders();
    }
}

/// <summary>Lockout after repeated failures: a guessed password costs an attacker a quarter of an hour every five tries.</summary>
public static class SignInRules
{
    public const int MaxFailedAttempts = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
}
