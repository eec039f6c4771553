using OmsDashboard.Data.Ingestion;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Ingestion;

/// <summary>A migrated database for the store's tests; each test uses ids of its own (a prefix).</summary>
public sealed class SignalStoreDatabase : IAsyncLifetime
{
    public TestDatabase Db { get; private set; } = null!;

    public async Task InitializeAsync() => Db = await TestDatabase.CreateMigratedAsync("store");

    public async Task DisposeAsync() => await Db.DisposeAsync();
}

/// <summary>
/// The bulk write path on a real PostgreSQL + PostGIS: what is new is stored and named, what was
/// stored before (by an earlier or a concurrent batch, or earlier in the same batch) is a
/// duplicate that changes nothing, exactly.
/// </summary>
public sealed class SignalStoreTests(SignalStoreDatabase fixture) : IClassFixture<SignalStoreDatabase>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = fixture.Db;
    private readonly string _p = "T" + Guid.NewGuid().ToString("N")[..8] + "-";

    private SignalStore Store => new(_db.DataSource);

    private IncomingSignal Gasp(int n, string? code = null) => new()
    {
        Id = _p + n,
        Type = "last_gasp",
        OccurredAt = T0.AddSeconds(n),
        ReceivedAt = T0.AddSeconds(n + 40),
        AssetId = "KFM" + n,
        Detail = code,
    };

    private List<IncomingSignal> Gasps(int from, int count) => [.. Enumerable.Range(from, count).Select(n => Gasp(n))];

    private Task<long> Count(string table, string idColumn = "event_id") =>
        _db.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE {idColumn} LIKE '{_p}%'");

    /// <summary>Everything stored for this test's ids, including identity and ingestion time.</summary>
    private Task<string> Fingerprint() => _db.ScalarAsync<string>(
        $"SELECT coalesce(md5(string_agg(k::text, '|' ORDER BY event_id)), '') FROM kaifa_events k WHERE event_id LIKE '{_p}%'");

    [Fact]
    public async Task Store_NewKaifaRecords_AcceptsEveryIdAndStoresTheFields()
    {
        List<IncomingSignal> batch = [Gasp(1, "E17"), Gasp(2), Gasp(3) with { Type = "power_restore" }];

        var accepted = await Store.StoreAsync(SourceSystem.Kaifa, batch);

        Assert.Equal(batch.Select(r => r.Id).Order(StringComparer.Ordinal), accepted.Order(StringComparer.Ordinal));
        Assert.Equal(3, await Count("kaifa_events"));
        Assert.Equal("KFM1|last_gasp|E17|pending", await _db.ScalarAsync<string>(
            $"SELECT meter_id || '|' || event_type || '|' || event_code || '|' || correlation_state FROM kaifa_events WHERE event_id = '{_p}1'"));
        Assert.Equal(T0.AddSeconds(1), await _db.ScalarAsync<DateTimeOffset>($"SELECT occurred_at FROM kaifa_events WHERE event_id = '{_p}1'"));
        Assert.Equal(T0.AddSeconds(41), await _db.ScalarAsync<DateTimeOffset>($"SELECT received_at FROM kaifa_events WHERE event_id = '{_p}1'"));
        Assert.True(await _db.ScalarAsync<bool>($"SELECT event_code IS NULL FROM kaifa_events WHERE event_id = '{_p}2'"));
        Assert.Equal("power_restore", await _db.ScalarAsync<string>($"SELECT event_type FROM kaifa_events WHERE event_id = '{_p}3'"));
    }

    [Fact]
    public async Task Store_SameBatchTwice_SecondAcceptsNothingAndChangesNothing()
    {
        var batch = Gasps(1, 500);
        Assert.Equal(500, (await Store.StoreAsync(SourceSystem.Kaifa, batch)).Count);
        string before = await Fingerprint();

        // The same ids with other contents: still duplicates, still nothing changes.
        var again = await Store.StoreAsync(SourceSystem.Kaifa, [.. batch.Select(r => r with { Type = "power_restore", AssetId = "OTHER" })]);

        Assert.Empty(again);
        Assert.Equal(before, await Fingerprint());
        Assert.Equal(500, await Count("kaifa_events"));
    }

    [Fact]
    public async Task Store_PartlyStoredBatch_AcceptsExactlyTheNewIds()
    {
        await Store.StoreAsync(SourceSystem.Kaifa, Gasps(1, 100));

        var accepted = await Store.StoreAsync(SourceSystem.Kaifa, Gasps(51, 100));

        Assert.Equal(Enumerable.Range(101, 50).Select(n => _p + n).Order(StringComparer.Ordinal), accepted.Order(StringComparer.Ordinal));
        Assert.Equal(150, await Count("kaifa_events"));
    }

    [Fact]
    public async Task Store_IdRepeatedInTheBatch_StoresItOnce()
    {
        var accepted = await Store.StoreAsync(SourceSystem.Kaifa, [Gasp(1), Gasp(2), Gasp(1) with { AssetId = "KFM-OTHER" }]);

        Assert.Equal([_p + "1", _p + "2"], accepted.Order(StringComparer.Ordinal));
        Assert.Equal(2, await Count("kaifa_events"));
    }

    [Fact]
    public async Task Store_ConcurrentOverlappingBatches_StoreEachRecordOnce()
    {
        // Four batches at once over the same 4,000 ids, two of them in reverse order: every id is
        // accepted by exactly one batch, and overlapping batches wait for each other instead of deadlocking.
        var ids = Gasps(1, 4000);
        List<IncomingSignal>[] batches = [ids, [.. ids.AsEnumerable().Reverse()], ids, [.. ids.AsEnumerable().Reverse()]];
        using var start = new SemaphoreSlim(0);
        var tasks = batches.Select(async b =>
        {
            await start.WaitAsync();
            return await new SignalStore(_db.DataSource).StoreAsync(SourceSystem.Kaifa, b);
        }).ToArray();
        start.Release(batches.Length);

        var results = await Task.WhenAll(tasks);

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(4000, all.Count);
        Assert.Equal(4000, all.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(4000, await Count("kaifa_events"));
    }

    [Fact]
    public async Task Store_CallWithPlace_StoresAGeographyPointAtLonLat()
    {
        var call = new IncomingSignal
        {
            Id = _p + "C1", Type = "wire_down", OccurredAt = T0, ReceivedAt = T0.AddSeconds(3),
            AccountNumber = "AC850000001", Lat = 34.0125, Lon = -117.0375, Address = "1 Main St", CallerPhone = "555-0100", Notes = "sparks",
        };
        var accountOnly = new IncomingSignal { Id = _p + "C2", Type = "no_power", OccurredAt = T0, ReceivedAt = T0, AccountNumber = "AC850000002" };

        var accepted = await Store.StoreAsync(SourceSystem.Callcenter, [call, accountOnly]);

        Assert.Equal(2, accepted.Count);
        Assert.Equal("POINT|4326|34.0125|-117.0375", await _db.ScalarAsync<string>($"""
            SELECT GeometryType(location::geometry) || '|' || ST_SRID(location::geometry) || '|' || ST_Y(location::geometry) || '|' || ST_X(location::geometry)
              FROM callcenter_tickets WHERE ticket_id = '{_p}C1'
            """));
        Assert.Equal("AC850000001|1 Main St|wire_down|555-0100|sparks", await _db.ScalarAsync<string>(
            $"SELECT account_number || '|' || address || '|' || category || '|' || caller_phone || '|' || notes FROM callcenter_tickets WHERE ticket_id = '{_p}C1'"));
        Assert.True(await _db.ScalarAsync<bool>($"SELECT location IS NULL AND address IS NULL FROM callcenter_tickets WHERE ticket_id = '{_p}C2'"));
        // Stored where the correlation pass looks for calls: within metres of the point.
        Assert.Equal(1, await _db.ScalarAsync<long>(
            $"SELECT count(*) FROM callcenter_tickets WHERE ticket_id LIKE '{_p}%' AND ST_DWithin(location, ST_SetSRID(ST_MakePoint(-117.0375, 34.0126), 4326)::geography, 20)"));
    }

    [Fact]
    public async Task Store_ScadaAndOnu_GoToTheirTablesWithTheirFields()
    {
        var trip = new IncomingSignal { Id = _p + "S1", Type = "lockout", OccurredAt = T0, ReceivedAt = T0, AssetId = "RCL:LN5587291-1", Detail = "relay 51" };
        var gasp = new IncomingSignal { Id = _p + "O1", Type = "dying_gasp", OccurredAt = T0, ReceivedAt = T0, AssetId = "ONU850000002" };

        Assert.Single(await Store.StoreAsync(SourceSystem.Scada, [trip]));
        Assert.Single(await Store.StoreAsync(SourceSystem.Onu, [gasp]));

        Assert.Equal("RCL:LN5587291-1|lockout|relay 51", await _db.ScalarAsync<string>(
            $"SELECT device_id || '|' || event_type || '|' || description FROM scada_events WHERE event_id = '{_p}S1'"));
        Assert.Equal("ONU850000002|dying_gasp", await _db.ScalarAsync<string>(
            $"SELECT onu_id || '|' || event_type FROM onu_events WHERE event_id = '{_p}O1'"));
    }

    [Fact]
    public async Task Store_TimeWithAnOffset_StoresTheSameInstant()
    {
        var local = new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.FromHours(2));

        await Store.StoreAsync(SourceSystem.Kaifa, [Gasp(1) with { OccurredAt = local }]);

        Assert.Equal(T0, await _db.ScalarAsync<DateTimeOffset>($"SELECT occurred_at FROM kaifa_events WHERE event_id = '{_p}1'"));
    }

    [Fact]
    public async Task Store_EmptyBatch_StoresNothing()
    {
        Assert.Empty(await Store.StoreAsync(SourceSystem.Kaifa, []));
        Assert.Equal(0, await Count("kaifa_events"));
    }
}
