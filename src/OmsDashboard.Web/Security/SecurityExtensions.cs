using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OmsDashboard.Web.Security;

internal static class SecurityExtensions
{
    /// <summary>
    /// API keys (scheme <see cref="ApiKeyDefaults.Scheme"/>, the default) and the policies of
    /// <see cref="OmsPolicies"/>. User sign-in, when it comes, adds its scheme and role claims; the
    /// policies already accept the roles.
    /// </summary>
    public static void AddOmsSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiKeyOptions>, ValidateApiKeyOptions>();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddHostedService<ApiKeyProvisioner>();

        builder.Services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);

        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (string policy in OmsPolicies.All)
        {
            authorization.AddPolicy(policy, p =>
            {
                p.AddRequirements(new OmsAccessRequirement(policy, OmsPolicies.ScopeFor(policy), OmsPolicies.RolesFor(policy)));
                if (policy == OmsPolicies.Ingest)
                {
                    p.AddRequirements(new IngestSourceRequirement());
                }
            });
        }
        builder.Services.AddSingleton<IAuthorizationHandler, OmsAccessHandler>();
        builder.Services.AddSingleton<IAuthorizationHandler, IngestSourceHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, OmsAuthorizationResultHandler>();
    }
}
