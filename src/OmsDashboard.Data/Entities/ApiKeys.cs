namespace OmsDashboard.Data.Entities;

/// <summary>
/// An API key (contract §5). Only the SHA-256 of the key is stored: the key itself is shown once,
/// when it is made, and cannot be read back. Keys are never deleted, only revoked, so that the
/// name behind an old request stays known.
/// </summary>
public sealed class OmsApiKey
{
    public long Id { get; set; }

    /// <summary>Who or what holds the key (<c>embedded-default</c>, <c>scada-gateway</c>, …).</summary>
    public required string Name { get; set; }

    /// <summary>SHA-256 of the key's UTF-8 bytes (32 bytes).</summary>
    public required byte[] KeyHash { get; set; }

    /// <summary>What the key may do: some of <see cref="ApiKeyScopes.All"/>.</summary>
    public required string[] Scopes { get; set; }

    /// <summary>The sources an <c>ingest</c> key may send for; null = every source.</summary>
    public string[]? Sources { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the key stopped working; null while it works.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>The scopes a key can carry (contract §5).</summary>
public static class ApiKeyScopes
{
    /// <summary>Send signals to <c>POST /api/oms/events/{source}</c> (optionally for some sources only).</summary>
    public const string Ingest = "ingest";
    /// <summary>The GET endpoints and the real-time hub.</summary>
    public const string Read = "read";
    /// <summary>Correlate, act on outages, update crews.</summary>
    public const string Operate = "operate";
    /// <summary>Topology import and configuration.</summary>
    public const string Admin = "admin";

    public static readonly string[] All = [Ingest, Read, Operate, Admin];
}
