using OmsDashboard.Data.Import;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Import;

/// <summary>Both real feeders import with their READMEs' counts, into one network, idempotently.</summary>
public sealed class TopologyImportTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TopologyImporter _importer = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateMigratedAsync("import");
        _importer = new TopologyImporter(_db.DataSource);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private Task<TopologyImportResult> ImportFeeder(string name) =>
        _importer.ImportFilesAsync(RepoPaths.Feeder(name, "nodes.csv"), RepoPaths.Feeder(name, "assets.csv"));

    [Fact]
    public async Task Import_BothRealFeeders_StoresTheReadmeCountsInOneNetwork()
    {
        var ieee = await ImportFeeder("ieee8500");
        var ckt24 = await ImportFeeder("epri_ckt24");

        Assert.True(ieee.Succeeded, string.Join("; ", ieee.Errors));
        Assert.True(ckt24.Succeeded, string.Join("; ", ckt24.Errors));
        Assert.Equal(2525 + 1177 + 375, ieee.Inserted);  // nodes + meters + ONUs
        Assert.Equal(4773 + 3890 + 1354, ckt24.Inserted);

        Assert.Equal(2, await NetworkFingerprint.CountAsync(_db, "network_substations"));
        Assert.Equal(2, await NetworkFingerprint.CountAsync(_db, "network_feeders"));
        // IEEE 8500: 2 reclosers, 42 switches, 125 fuses, 1177 transformers and customers.
        const string ieeeFeeder = "feeder_id = 'FDR:LN5815900-1'";
        Assert.Equal(2, await NetworkFingerprint.CountAsync(_db, "network_devices", ieeeFeeder + " AND kind = 'recloser'"));
        Assert.Equal(42, await NetworkFingerprint.CountAsync(_db, "network_devices", ieeeFeeder + " AND kind = 'switch'"));
        Assert.Equal(125, await NetworkFingerprint.CountAsync(_db, "network_devices", ieeeFeeder + " AND kind = 'fuse'"));
        Assert.Equal(1177, await NetworkFingerprint.CountAsync(_db, "network_distribution_points", ieeeFeeder));
        Assert.Equal(1177, await NetworkFingerprint.CountAsync(_db, "oms_customers", ieeeFeeder));
        // EPRI Ckt24: 1 recloser, 62 fuses, no switches, 818 transformers, 3890 customers.
        const string ckt24Feeder = "feeder_id = 'FDR:fdr_05410'";
        Assert.Equal(1, await NetworkFingerprint.CountAsync(_db, "network_devices", ckt24Feeder + " AND kind = 'recloser'"));
        Assert.Equal(0, await NetworkFingerprint.CountAsync(_db, "network_devices", ckt24Feeder + " AND kind = 'switch'"));
        Assert.Equal(62, await NetworkFingerprint.CountAsync(_db, "network_devices", ckt24Feeder + " AND kind = 'fuse'"));
        Assert.Equal(818, await NetworkFingerprint.CountAsync(_db, "network_distribution_points", ckt24Feeder));
        Assert.Equal(3890, await NetworkFingerprint.CountAsync(_db, "oms_customers", ckt24Feeder));
        Assert.Equal(1177 + 3890, await NetworkFingerprint.CountAsync(_db, "oms_smart_meters"));
        Assert.Equal(375 + 1354, await NetworkFingerprint.CountAsync(_db, "oms_onu_devices"));
    }

    [Fact]
    public async Task Import_RealFeeder_KeepsTheTreeShapeAndCoordinates()
    {
        await ImportFeeder("ieee8500");

        // Recloser B sits below recloser A (README), the 5 normally-open ties are open, reclosers are telemetered.
        Assert.Equal(1, await _db.ScalarAsync<long>("""
            WITH RECURSIVE up AS (
                SELECT id, parent_device_id FROM network_devices WHERE id = 'RCL:LN5860423-1'
                UNION ALL SELECT d.id, d.parent_device_id FROM network_devices d JOIN up ON d.id = up.parent_device_id)
            SELECT count(*) FROM up WHERE id = 'RCL:LN5587291-1'
            """));
        Assert.Equal(5, await NetworkFingerprint.CountAsync(_db, "network_devices", "normally_open AND status = 'open' AND kind = 'switch'"));
        Assert.Equal(2, await NetworkFingerprint.CountAsync(_db, "network_devices", "is_telemetered"));
        // Transformers hanging from the feeder head itself have no parent device (README: 2 of them).
        Assert.Equal(2, await NetworkFingerprint.CountAsync(_db, "network_distribution_points", "parent_device_id IS NULL"));
        // The substation is at the README's origin.
        Assert.Equal("POINT(-117 34)", await _db.ScalarAsync<string>("SELECT ST_AsText(location) FROM network_substations"));
        // Every customer has its account from assets.csv and one meter.
        Assert.Equal("AC850000001", await _db.ScalarAsync<string>("SELECT account_number FROM oms_customers WHERE id = 'CUST:226195333C0'"));
        Assert.Equal("CUST:223658A0", await _db.ScalarAsync<string>("SELECT customer_id FROM oms_onu_devices WHERE id = 'ONU850000002'"));
    }

    [Fact]
    public async Task Import_SameFilesTwice_ChangesNothing()
    {
        await ImportFeeder("ieee8500");
        await ImportFeeder("epri_ckt24");
        var before = await NetworkFingerprint.TakeAsync(_db);

        var again = await ImportFeeder("ieee8500");
        var againCkt = await ImportFeeder("epri_ckt24");

        Assert.True(again.Succeeded && againCkt.Succeeded);
        Assert.Equal((0L, 0L, 0L), (again.Inserted, again.Updated, again.Deleted));
        Assert.Equal((0L, 0L, 0L), (againCkt.Inserted, againCkt.Updated, againCkt.Deleted));
        Assert.Equal(before, await NetworkFingerprint.TakeAsync(_db));
    }

    [Fact]
    public async Task Import_ChangedSubstation_ReplacesOnlyThatSubstation()
    {
        await ImportFeeder("ieee8500");
        await ImportFeeder("epri_ckt24");
        var before = await NetworkFingerprint.TakeAsync(_db);
        string ckt24Customers = await _db.ScalarAsync<string>("SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM oms_customers c WHERE feeder_id = 'FDR:fdr_05410'");

        // The IEEE feeder again, with one transformer renamed and one customer (the last row) gone.
        string dir = Directory.CreateTempSubdirectory("oms-import-").FullName;
        var nodes = File.ReadAllLines(RepoPaths.Feeder("ieee8500", "nodes.csv")).ToList();
        int renamed = nodes.FindIndex(l => l.StartsWith("XFMR:T5223658A,", StringComparison.Ordinal));
        nodes[renamed] = nodes[renamed].Replace("T5223658A (5.0 kVA)", "T5223658A (rebuilt 10 kVA)", StringComparison.Ordinal);
        string droppedCustomer = nodes[^1].Split(',')[0];
        Assert.StartsWith("CUST:", droppedCustomer);
        nodes.RemoveAt(nodes.Count - 1);
        var assets = File.ReadAllLines(RepoPaths.Feeder("ieee8500", "assets.csv")).Where(l => !l.StartsWith(droppedCustomer + ",", StringComparison.Ordinal));
        await File.WriteAllLinesAsync(Path.Combine(dir, "nodes.csv"), nodes);
        await File.WriteAllLinesAsync(Path.Combine(dir, "assets.csv"), assets);

        var result = await _importer.ImportFilesAsync(Path.Combine(dir, "nodes.csv"), Path.Combine(dir, "assets.csv"));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal(0, result.Inserted);
        Assert.Equal(1, result.Updated);
        Assert.True(result.Deleted >= 2, $"the customer and its meter are deleted, got {result.Deleted}");
        Assert.Equal(0, await NetworkFingerprint.CountAsync(_db, "oms_customers", $"id = '{droppedCustomer}'"));
        Assert.Equal("T5223658A (rebuilt 10 kVA)", await _db.ScalarAsync<string>("SELECT name FROM network_distribution_points WHERE id = 'XFMR:T5223658A'"));
        var after = await NetworkFingerprint.TakeAsync(_db);
        Assert.NotEqual(before["oms_customers"], after["oms_customers"]);
        Assert.Equal(ckt24Customers, await _db.ScalarAsync<string>("SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM oms_customers c WHERE feeder_id = 'FDR:fdr_05410'"));
        Assert.Equal(before["network_devices"], after["network_devices"]);
    }
}
