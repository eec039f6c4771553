using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Web.Security;

/// <summary>A working (not revoked) key as the authentication handler sees it.</summary>
public sealed record ApiKeyEntry(long Id, string Name, byte[] Hash, string[] Scopes, string[]? Sources);

/// <summary>What a key should be: for keys made at start-up (configuration, <c>OMS_INGEST_API_KEY</c>).</summary>
public sealed record ApiKeySpec(string Name, string Key, IReadOnlyCollection<string> Scopes, IReadOnlyCollection<string>? Sources);

/// <summary>A key just made: <see cref="Key"/> is shown this once and stored only as its hash.</summary>
public sealed record CreatedApiKey(long Id, string Name, string Key);

/// <summary>
/// The API keys in <c>oms_api_keys</c>, and an in-memory snapshot of the working ones for the
/// authentication handler. The snapshot is reloaded when it is older than
/// <see cref="ApiKeyOptions.ApiKeyCacheDuration"/> (so a key revoked in the database stops working
/// within that time), when a key is made or revoked here, and — at most once a second — when a
/// request brings a key the snapshot does not know (a key made by another server).
/// Keys are matched by their SHA-256, compared in constant time against every working key.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource, TimeProvider time, IOptions<ApiKeyOptions> options, ILogger<ApiKeyStore> logger)
{
    /// <summary>Serialises start-up key provisioning across servers sharing a database (arbitrary, fixed).</summary>
    private const long ProvisionLockKey = 0x6F6D_736B_6579;

    private static readonly TimeSpan MissRefreshInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot? _snapshot;
    /// <summary>Bumped by <see cref="Invalidate"/>: a reload that began before a change does not publish its (older) snapshot.</summary>
    private int _generation;

    private sealed record Snapshot(ApiKeyEntry[] Keys, DateTimeOffset LoadedAt);

    /// <summary>The working key whose hash matches <paramref name="key"/>'s, or null (unknown, revoked, or not a key).</summary>
    public async ValueTask<ApiKeyEntry?> FindAsync(string key, CancellationToken ct = default)
    {
        if (key.Length is 0 or > ApiKeySecrets.MaxKeyLength)
        {
            return null;
        }
        byte[] hash = new byte[SHA256.HashSizeInBytes];
        ApiKeySecrets.Hash(key, hash);

        var snapshot = _snapshot;
        var cacheFor = options.Value.ApiKeyCacheDuration;
        if (snapshot is null || Age(snapshot) >= cacheFor)
        {
            snapshot = await ReloadAsync(snapshot, ct);
        }
        var found = Match(snapshot.Keys, hash);
        if (found is null && Age(snapshot) >= (cacheFor < MissRefreshInterval ? cacheFor : MissRefreshInterval))
        {
            found = Match((await ReloadAsync(snapshot, ct)).Keys, hash);
        }
        return found;
    }

    /// <summary>Forgets the snapshot: the next request reads the keys again.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _snapshot = null;
    }

    /// <summary>Makes a key with a fresh random secret.</summary>
    public async Task<CreatedApiKey> CreateAsync(string name, IReadOnlyCollection<string> scopes, IReadOnlyCollection<string>? sources = null,
        CancellationToken ct = default)
    {
        string key = ApiKeySecrets.Generate();
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO oms_api_keys (name, key_hash, scopes, sources) VALUES ($1, $2, $3, $4) RETURNING id");
        AddKeyParameters(cmd, name, ApiKeySecrets.Hash(key), scopes, sources);
        long id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        Invalidate();
        return new CreatedApiKey(id, name, key);
    }

    /// <summary>Revokes a key (it is kept, with the time it stopped working). False when there is no such working key.</summary>
    public async Task<bool> RevokeAsync(long id, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("UPDATE oms_api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        bool revoked = await cmd.ExecuteNonQueryAsync(ct) == 1;
        Invalidate();
        return revoked;
    }

    /// <summary>
    /// Start-up provisioning, in one transaction under an advisory lock: every key in
    /// <paramref name="keys"/> exists with its scopes and sources (configuration owns the names it
    /// lists: another working key of the same name is revoked, so changing a configured key
    /// replaces the old one). Then, when <paramref name="generateIfNone"/> and the table holds no
    /// key at all, one key with every scope is generated and returned (to be shown once).
    /// </summary>
    public async Task<CreatedApiKey?> ProvisionAsync(IReadOnlyList<ApiKeySpec> keys, bool generateIfNone, string generatedName,
        CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({ProvisionLockKey})", connection, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        foreach (var spec in keys)
        {
            await EnsureAsync(connection, tx, spec, ct);
        }
        CreatedApiKey? generated = null;
        if (generateIfNone)
        {
            await using var count = new NpgsqlCommand("SELECT NOT EXISTS (SELECT 1 FROM oms_api_keys)", connection, tx);
            if ((bool)(await count.ExecuteScalarAsync(ct))!)
            {
                string key = ApiKeySecrets.Generate();
                await using var insert = new NpgsqlCommand("INSERT INTO oms_api_keys (name, key_hash, scopes, sources) VALUES ($1, $2, $3, $4) RETURNING id", connection, tx);
                AddKeyParameters(insert, generatedName, ApiKeySecrets.Hash(key), ApiKeyScopes.All, null);
                generated = new CreatedApiKey((long)(await insert.ExecuteScalarAsync(ct))!, generatedName, key);
            }
        }
        await tx.CommitAsync(ct);
        Invalidate();
        return generated;
    }

    private async Task EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ApiKeySpec spec, CancellationToken ct)
    {
        byte[] hash = ApiKeySecrets.Hash(spec.Key);
        string[] scopes = Canonical(spec.Scopes, ApiKeyScopes.All);
        string[]? sources = spec.Sources is { Count: > 0 } s ? Canonical(s, SourceTypes.All) : null;

        long? existing = null;
        bool revoked = false;
        await using (var find = new NpgsqlCommand("SELECT id, revoked_at IS NOT NULL FROM oms_api_keys WHERE key_hash = $1", connection, tx))
        {
            find.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash, NpgsqlDbType = NpgsqlDbType.Bytea });
            await using var reader = await find.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                (existing, revoked) = (reader.GetInt64(0), reader.GetBoolean(1));
            }
        }

        if (existing is null)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO oms_api_keys (name, key_hash, scopes, sources) VALUES ($1, $2, $3, $4)", connection, tx);
            AddKeyParameters(insert, spec.Name, hash, scopes, sources);
            await insert.ExecuteNonQueryAsync(ct);
            logger.LogInformation("API key {Name} added from configuration (scopes {Scopes})", spec.Name, string.Join(',', scopes));
        }
        else if (revoked)
        {
            logger.LogWarning("The configured API key {Name} was revoked; it stays revoked. Configure a new key to replace it.", spec.Name);
        }
        else
        {
            // Configuration is the truth for the keys it lists: their name, scopes and sources follow it.
            await using var update = new NpgsqlCommand(
                "UPDATE oms_api_keys SET name = $2, scopes = $3, sources = $4 WHERE id = $1 AND (name, scopes, sources) IS DISTINCT FROM ($2, $3, $4)",
                connection, tx);
            update.Parameters.Add(new NpgsqlParameter<long> { TypedValue = existing.Value });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = spec.Name });
            update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = scopes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)sources ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            if (await update.ExecuteNonQueryAsync(ct) > 0)
            {
                logger.LogInformation("API key {Name}: name, scopes and sources updated from configuration", spec.Name);
            }
        }

        await using var replace = new NpgsqlCommand(
            "UPDATE oms_api_keys SET revoked_at = now() WHERE name = $1 AND key_hash <> $2 AND revoked_at IS NULL", connection, tx);
        replace.Parameters.Add(new NpgsqlParameter<string> { TypedValue = spec.Name });
        replace.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash, NpgsqlDbType = NpgsqlDbType.Bytea });
        int replaced = await replace.ExecuteNonQueryAsync(ct);
        if (replaced > 0)
        {
            logger.LogWarning("API key {Name}: {Count} older key(s) of that name revoked (the configured key replaces them)", spec.Name, replaced);
        }
    }

    private static void AddKeyParameters(NpgsqlCommand cmd, string name, byte[] hash, IReadOnlyCollection<string> scopes, IReadOnlyCollection<string>? sources)
    {
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        cmd.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash, NpgsqlDbType = NpgsqlDbType.Bytea });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = Canonical(scopes, ApiKeyScopes.All), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            Value = sources is { Count: > 0 } ? Canonical(sources, SourceTypes.All) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
        });
    }

    /// <summary>Distinct values in the order of <paramref name="order"/> (the database's check constraint rejects others).</summary>
    private static string[] Canonical(IEnumerable<string> values, string[] order)
    {
        var set = values.ToHashSet(StringComparer.Ordinal);
        return [.. order.Where(set.Contains), .. set.Where(v => !order.Contains(v)).Order(StringComparer.Ordinal)];
    }

    private TimeSpan Age(Snapshot s) => time.GetUtcNow() - s.LoadedAt;

    private static ApiKeyEntry? Match(ApiKeyEntry[] keys, ReadOnlySpan<byte> hash)
    {
        // Every working key is compared, in constant time, whatever matched first.
        ApiKeyEntry? found = null;
        foreach (var k in keys)
        {
            if (CryptographicOperations.FixedTimeEquals(k.Hash, hash))
            {
                found = k;
            }
        }
        return found;
    }

    private async Task<Snapshot> ReloadAsync(Snapshot? seen, CancellationToken ct)
    {
        await _reload.WaitAsync(ct);
        try
        {
            // Another request may have reloaded while this one waited.
            var current = _snapshot;
            if (current is not null && !ReferenceEquals(current, seen))
            {
                return current;
            }
            int generation = Volatile.Read(ref _generation);
            var keys = new List<ApiKeyEntry>();
            await using (var cmd = dataSource.CreateCommand("SELECT id, name, key_hash, scopes, sources FROM oms_api_keys WHERE revoked_at IS NULL"))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    keys.Add(new ApiKeyEntry(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2),
                        reader.GetFieldValue<string[]>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<string[]>(4)));
                }
            }
            var loaded = new Snapshot([.. keys], time.GetUtcNow());
            if (generation == Volatile.Read(ref _generation))
            {
                _snapshot = loaded;
            }
            return loaded;
        }
        finally
        {
            _reload.Release();
        }
    }
}
