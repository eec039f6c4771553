using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OmsDashboard.Testing;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Tests.Security;

/// <summary>A clock the test moves.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

public sealed class ApiKeyDatabase : IAsyncLifetime
{
    public TestDatabase Db { get; private set; } = null!;

    public async Task InitializeAsync() => Db = await TestDatabase.CreateMigratedAsync("keys");

    public async Task DisposeAsync() => await Db.DisposeAsync();
}

/// <summary>
/// The key store on a real database: start-up provisioning (embedded default, configured keys,
/// first-run generation), the in-memory snapshot and how soon it sees revocations and new keys.
/// Each test starts from an empty key table.
/// </summary>
public sealed class ApiKeyStoreTests(ApiKeyDatabase fixture) : IClassFixture<ApiKeyDatabase>
{
    private readonly TestDatabase _db = fixture.Db;
    private readonly ManualTimeProvider _clock = new();

    private ApiKeyStore NewStore(TimeSpan? cacheFor = null) => new(_db.DataSource, _clock,
        Options.Create(new ApiKeyOptions { ApiKeyCacheDuration = cacheFor ?? TimeSpan.FromSeconds(5) }), NullLogger<ApiKeyStore>.Instance);

    private async Task<ApiKeyStore> EmptyStore(TimeSpan? cacheFor = null)
    {
        await _db.ExecuteAsync("TRUNCATE oms_api_keys");
        return NewStore(cacheFor);
    }

    private static ApiKeySpec Embedded(string key) => new(ApiKeyOptions.EmbeddedKeyName, key, ["ingest", "read", "operate", "admin"], null);

    [Fact]
    public async Task Find_KeyRevokedInTheDatabase_WorksUntilTheCacheRunsOutThenNot()
    {
        var store = await EmptyStore(TimeSpan.FromSeconds(5));
        var made = await store.CreateAsync("gateway", ["ingest"]);
        Assert.NotNull(await store.FindAsync(made.Key));

        await _db.ExecuteAsync($"UPDATE oms_api_keys SET revoked_at = now() WHERE id = {made.Id}"); // e.g. by another server
        _clock.Advance(TimeSpan.FromSeconds(4));
        var cached = await store.FindAsync(made.Key);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var expired = await store.FindAsync(made.Key);

        Assert.NotNull(cached);
        Assert.Null(expired);
    }

    [Fact]
    public async Task Find_KeyMadeByAnotherServer_IsFoundOnceTheSnapshotIsASecondOld()
    {
        var store = await EmptyStore(TimeSpan.FromSeconds(5));
        await store.CreateAsync("first", ["read"]);
        Assert.Null(await store.FindAsync("nothing-yet")); // loads the snapshot
        var other = await NewStore().CreateAsync("second", ["read"]);

        var soon = await store.FindAsync(other.Key);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var later = await store.FindAsync(other.Key);

        Assert.Null(soon);
        Assert.Equal("second", later?.Name);
    }

    [Fact]
    public async Task Find_ReturnsTheKeysScopesAndSources_AndNothingForOtherValues()
    {
        var store = await EmptyStore();
        var made = await store.CreateAsync("meters", ["read", "ingest", "read"], ["onu", "kaifa"]);

        var found = await store.FindAsync(made.Key);

        Assert.Equal(("meters", made.Id), (found!.Name, found.Id));
        Assert.Equal(["ingest", "read"], found.Scopes);
        Assert.Equal(["kaifa", "onu"], found.Sources!);
        Assert.Null(await store.FindAsync(made.Key[..^1]));
        Assert.Null(await store.FindAsync(""));
        Assert.Null(await store.FindAsync(new string('k', ApiKeySecrets.MaxKeyLength + 1)));
    }

    [Fact]
    public async Task Provision_EmbeddedKey_StoresItHashedWithEveryScope_OnceHoweverOftenItRuns()
    {
        var store = await EmptyStore();

        Assert.Null(await store.ProvisionAsync([Embedded("embedded-key-123456")], generateIfNone: false, ApiKeyOptions.EmbeddedKeyName));
        Assert.Null(await store.ProvisionAsync([Embedded("embedded-key-123456")], generateIfNone: false, ApiKeyOptions.EmbeddedKeyName));

        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_api_keys"));
        Assert.Equal(["ingest", "read", "operate", "admin"], (await store.FindAsync("embedded-key-123456"))!.Scopes);
        Assert.Equal(Convert.ToHexStringLower(ApiKeySecrets.Hash("embedded-key-123456")),
            await _db.ScalarAsync<string>("SELECT encode(key_hash, 'hex') FROM oms_api_keys"));
    }

    [Fact]
    public async Task Provision_EmbeddedKeyChanged_ReplacesTheOldOne()
    {
        var store = await EmptyStore();
        await store.ProvisionAsync([Embedded("old-embedded-key-1")], false, ApiKeyOptions.EmbeddedKeyName);

        await store.ProvisionAsync([Embedded("new-embedded-key-2")], false, ApiKeyOptions.EmbeddedKeyName);

        Assert.Null(await store.FindAsync("old-embedded-key-1"));
        Assert.NotNull(await store.FindAsync("new-embedded-key-2"));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_api_keys WHERE revoked_at IS NOT NULL"));
    }

    [Fact]
    public async Task Provision_ConfiguredKeyWithNewScopes_UpdatesThem_ButARevokedKeyStaysRevoked()
    {
        var store = await EmptyStore();
        await store.ProvisionAsync([new ApiKeySpec("gw", "gateway-key-12345", ["ingest"], ["scada"]), new ApiKeySpec("ro", "reader-key-123456", ["read"], null)],
            false, ApiKeyOptions.EmbeddedKeyName);
        await _db.ExecuteAsync("UPDATE oms_api_keys SET revoked_at = now() WHERE name = 'ro'");

        await store.ProvisionAsync([new ApiKeySpec("gw", "gateway-key-12345", ["ingest", "read"], null), new ApiKeySpec("ro", "reader-key-123456", ["read"], null)],
            false, ApiKeyOptions.EmbeddedKeyName);

        var gateway = await store.FindAsync("gateway-key-12345");
        Assert.Equal(["ingest", "read"], gateway!.Scopes);
        Assert.Null(gateway.Sources);
        Assert.Null(await store.FindAsync("reader-key-123456"));
        Assert.Equal(2, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_api_keys"));
    }

    [Fact]
    public async Task Provision_NoKeyAnywhere_GeneratesOneWithEveryScope_OnlyOnce()
    {
        var store = await EmptyStore();

        var generated = await store.ProvisionAsync([], generateIfNone: true, ApiKeyOptions.EmbeddedKeyName);
        var again = await store.ProvisionAsync([], generateIfNone: true, ApiKeyOptions.EmbeddedKeyName);

        Assert.NotNull(generated);
        Assert.Null(again);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", generated.Key);
        var found = await store.FindAsync(generated.Key);
        Assert.Equal((ApiKeyOptions.EmbeddedKeyName, 4), (found!.Name, found.Scopes.Length));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_api_keys"));
    }

    [Fact]
    public async Task Provision_ConfiguredKeysOnly_GeneratesNone()
    {
        var store = await EmptyStore();

        var generated = await store.ProvisionAsync([new ApiKeySpec("ro", "reader-key-123456", ["read"], null)], generateIfNone: true, ApiKeyOptions.EmbeddedKeyName);

        Assert.Null(generated);
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_api_keys"));
    }

    [Fact]
    public void Generate_MakesDistinct32ByteBase64UrlKeys()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeySecrets.Generate()).ToList();

        Assert.All(keys, k => Assert.Matches("^[A-Za-z0-9_-]{43}$", k));
        Assert.Equal(100, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(32, Convert.FromBase64String(keys[0].Replace('-', '+').Replace('_', '/') + "=").Length);
    }
}
