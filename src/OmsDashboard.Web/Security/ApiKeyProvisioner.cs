using Microsoft.Extensions.Options;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Web.Security;

/// <summary>
/// At start-up, before the server takes requests (the database is migrated by then): the key of
/// <c>OMS_INGEST_API_KEY</c> exists with every scope (name <c>embedded-default</c>), so do the keys
/// of <c>Oms:ApiKeys</c>; and when neither gives a key and the database has none at all (first
/// run), one is generated, stored as its hash and printed once to the log.
/// </summary>
internal sealed class ApiKeyProvisioner(ApiKeyStore store, IOptions<ApiKeyOptions> options, IConfiguration configuration,
    ILogger<ApiKeyProvisioner> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var specs = options.Value.ApiKeys
            .Select(k => new ApiKeySpec(k.Name, k.Key, k.Scopes, k.Sources.Count == 0 ? null : k.Sources))
            .ToList();
        string? embedded = configuration[ApiKeyOptions.EmbeddedKeyVariable];
        if (!string.IsNullOrEmpty(embedded))
        {
            if (embedded.Length > ApiKeySecrets.MaxKeyLength)
            {
                throw new InvalidOperationException($"{ApiKeyOptions.EmbeddedKeyVariable} is longer than {ApiKeySecrets.MaxKeyLength} characters.");
            }
            if (embedded.Length < 16)
            {
                logger.LogWarning("{Variable} is shorter than 16 characters: easy to guess. Prefer a generated key (32 random bytes).",
                    ApiKeyOptions.EmbeddedKeyVariable);
            }
            specs.Add(new ApiKeySpec(ApiKeyOptions.EmbeddedKeyName, embedded, ApiKeyScopes.All, null));
        }
        var generated = await store.ProvisionAsync(specs, generateIfNone: string.IsNullOrEmpty(embedded), ApiKeyOptions.EmbeddedKeyName, cancellationToken);
        if (generated is not null)
        {
            // Shown this once: only its hash is stored.
            logger.LogWarning("OmsDashboard API key (all scopes): {ApiKey}  — shown once; send it as X-Api-Key. Set {Variable} to choose your own.",
                generated.Key, ApiKeyOptions.EmbeddedKeyVariable);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
