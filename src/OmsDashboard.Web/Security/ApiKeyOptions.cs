using Microsoft.Extensions.Options;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Web.Security;

/// <summary>API key settings of the <c>Oms</c> configuration section.</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Oms";

    /// <summary>The embedded default key's variable: when set, a key with every scope exists for its value.</summary>
    public const string EmbeddedKeyVariable = "OMS_INGEST_API_KEY";

    /// <summary>The name of the key given by <see cref="EmbeddedKeyVariable"/>, or generated at first run.</summary>
    public const string EmbeddedKeyName = "embedded-default";

    /// <summary>
    /// Keys made (hashed) at start-up when missing: <c>Oms:ApiKeys:0:Name</c>, <c>:Key</c>,
    /// <c>:Scopes:0</c>…, <c>:Sources:0</c>…. Defaults to none.
    /// </summary>
    public List<ConfiguredApiKey> ApiKeys { get; set; } = [];

    /// <summary>
    /// How long the working keys are kept in memory before they are read again: a key revoked in
    /// the database stops working within this time. Defaults to 5 seconds; 0 reads them on every request.
    /// </summary>
    public TimeSpan ApiKeyCacheDuration { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>One key of <c>Oms:ApiKeys</c>.</summary>
public sealed class ConfiguredApiKey
{
    public string Name { get; set; } = "";

    /// <summary>The key itself (a secret: keep it in the environment or a secret store, not in a committed file).</summary>
    public string Key { get; set; } = "";

    /// <summary>Some of <c>ingest</c>, <c>read</c>, <c>operate</c>, <c>admin</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Limits <c>ingest</c> to these sources (<c>scada</c>, <c>kaifa</c>, <c>onu</c>, <c>callcenter</c>). Defaults to every source.</summary>
    public List<string> Sources { get; set; } = [];
}

/// <summary>Start-up validation of <see cref="ApiKeyOptions"/>: a bad key fails the start, naming what is wrong.</summary>
public sealed class ValidateApiKeyOptions : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var errors = new List<string>();
        if (options.ApiKeyCacheDuration < TimeSpan.Zero || options.ApiKeyCacheDuration > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Oms:ApiKeyCacheDuration must be between 00:00:00 and 00:01:00 (a revoked key must stop working within seconds); it is {options.ApiKeyCacheDuration}.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal) { ApiKeyOptions.EmbeddedKeyName };
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < options.ApiKeys.Count; i++)
        {
            var k = options.ApiKeys[i];
            string at = $"Oms:ApiKeys:{i}";
            if (string.IsNullOrWhiteSpace(k.Name) || k.Name.Length > 200)
            {
                errors.Add($"{at}:Name must be 1 to 200 characters.");
            }
            else if (!names.Add(k.Name))
            {
                errors.Add($"{at}:Name '{k.Name}' is used twice (or is the reserved '{ApiKeyOptions.EmbeddedKeyName}').");
            }
            if (string.IsNullOrWhiteSpace(k.Key) || k.Key.Length > ApiKeySecrets.MaxKeyLength)
            {
                errors.Add($"{at}:Key must be 1 to {ApiKeySecrets.MaxKeyLength} characters.");
            }
            else if (!keys.Add(k.Key))
            {
                errors.Add($"{at}:Key is the same as another configured key's.");
            }
            if (k.Scopes.Count == 0)
            {
                errors.Add($"{at}:Scopes is empty: give some of {string.Join(", ", ApiKeyScopes.All)}.");
            }
            errors.AddRange(k.Scopes.Where(s => !ApiKeyScopes.All.Contains(s, StringComparer.Ordinal))
                .Select(s => $"{at}:Scopes: '{s}' is not one of {string.Join(", ", ApiKeyScopes.All)}."));
            errors.AddRange(k.Sources.Where(s => !SourceTypes.All.Contains(s, StringComparer.Ordinal))
                .Select(s => $"{at}:Sources: '{s}' is not one of {string.Join(", ", SourceTypes.All)}."));
            if (k.Sources.Count > 0 && !k.Scopes.Contains(ApiKeyScopes.Ingest, StringComparer.Ordinal))
            {
                errors.Add($"{at}:Sources limits ingestion, but the key has no 'ingest' scope.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
