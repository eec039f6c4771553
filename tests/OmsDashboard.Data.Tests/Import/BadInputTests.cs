using OmsDashboard.Data.Import;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Import;

/// <summary>
/// Each kind of bad input is rejected with its file, line and reason, and the database is left
/// exactly as it was (a network is already loaded, so "untouched" means something).
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string Header = "id,kind,parent_id,lat,lon,phase,name";

    // A small valid substation; each case below spoils one line of it.
    private static readonly string[] ValidNodes =
    [
        Header,
        "SUB:T,substation,,35.0,-118.0,ABC,Test substation",         // line 2
        "FDR:T1,feeder,SUB:T,35.0,-118.001,ABC,Test feeder",          // line 3
        "FUS:T1,fuse,FDR:T1,35.001,-118.002,A,Fuse",                  // line 4
        "XFMR:T1,transformer,FUS:T1,35.002,-118.003,A,Transformer",   // line 5
        "CUST:T1,customer,XFMR:T1,35.0021,-118.0031,A,Customer 1",    // line 6
        "CUST:T2,customer,XFMR:T1,35.0022,-118.0032,A,Customer 2",    // line 7
    ];

    private static readonly string[] ValidAssets =
    [
        "customer_id,account_number,meter_id,onu_id",
        "CUST:T1,ACT1,KFMT1,ONUT1",  // line 2
        "CUST:T2,ACT2,KFMT2,",       // line 3
    ];

    private TestDatabase _db = null!;
    private TopologyImporter _importer = null!;
    private IReadOnlyDictionary<string, string> _before = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateMigratedAsync("badinput");
        _importer = new TopologyImporter(_db.DataSource);
        var loaded = await _importer.ImportFilesAsync(RepoPaths.Feeder("ieee8500", "nodes.csv"), RepoPaths.Feeder("ieee8500", "assets.csv"));
        Assert.True(loaded.Succeeded);
        _before = await NetworkFingerprint.TakeAsync(_db);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private Task<TopologyImportResult> Import(IEnumerable<string> nodes, IEnumerable<string> assets) =>
        _importer.ImportAsync(new StringReader(string.Join('\n', nodes)), "nodes.csv", new StringReader(string.Join('\n', assets)), "assets.csv");

    private static string[] WithLine(string[] lines, int line, string replacement)
    {
        var copy = (string[])lines.Clone();
        copy[line - 1] = replacement;
        return copy;
    }

    private async Task AssertRejected(TopologyImportResult result, string file, int line, string reason)
    {
        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.File == file && e.Line == line && e.Reason.Contains(reason, StringComparison.Ordinal));
        Assert.Equal(_before, await NetworkFingerprint.TakeAsync(_db));
    }

    [Fact]
    public async Task Import_ValidSmallSubstation_IsAccepted()
    {
        var result = await Import(ValidNodes, ValidAssets);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal(6 + 2 + 1, result.Inserted);
        Assert.Equal(2, await NetworkFingerprint.CountAsync(_db, "network_substations"));
    }

    [Fact]
    public async Task Import_MissingParent_IsRejectedWithItsLine() =>
        await AssertRejected(await Import(WithLine(ValidNodes, 5, "XFMR:T1,transformer,FUS:NOPE,35.002,-118.003,A,Transformer"), ValidAssets),
            "nodes.csv", 5, "missing parent 'FUS:NOPE'");

    [Fact]
    public async Task Import_Cycle_IsRejectedNamingItsMembers()
    {
        var nodes = ValidNodes.Append("FUS:C1,fuse,FUS:C2,35.0,-118.0,A,Loop one").Append("FUS:C2,fuse,FUS:C1,35.0,-118.0,A,Loop two");
        await AssertRejected(await Import(nodes, ValidAssets), "nodes.csv", 8, "cycle: 'FUS:C1' → 'FUS:C2' → 'FUS:C1'");
    }

    [Fact]
    public async Task Import_DuplicateId_IsRejectedPointingAtTheFirst() =>
        await AssertRejected(await Import(ValidNodes.Append("FUS:T1,fuse,FDR:T1,35.0,-118.0,A,Again"), ValidAssets),
            "nodes.csv", 8, "duplicate id 'FUS:T1' (first on line 4)");

    [Fact]
    public async Task Import_UnknownKind_IsRejected() =>
        await AssertRejected(await Import(WithLine(ValidNodes, 4, "FUS:T1,capacitor,FDR:T1,35.001,-118.002,A,Cap"), ValidAssets),
            "nodes.csv", 4, "unknown kind 'capacitor'");

    [Theory]
    [InlineData("XFMR:T1,transformer,FUS:T1,95.0,-118.003,A,Transformer", "lat 95.0 is out of range")]
    [InlineData("XFMR:T1,transformer,FUS:T1,35.002,-218.003,A,Transformer", "lon -218.003 is out of range")]
    [InlineData("XFMR:T1,transformer,FUS:T1,north,-118.003,A,Transformer", "lat 'north' is not a number")]
    [InlineData("XFMR:T1,transformer,FUS:T1,,-118.003,A,Transformer", "lat is empty")]
    public async Task Import_BadCoordinate_IsRejected(string row, string reason) =>
        await AssertRejected(await Import(WithLine(ValidNodes, 5, row), ValidAssets), "nodes.csv", 5, reason);

    [Fact]
    public async Task Import_AssetForUnknownCustomer_IsRejected() =>
        await AssertRejected(await Import(ValidNodes, ValidAssets.Append("CUST:GHOST,ACG,KFMG,")), "assets.csv", 4,
            "asset for an unknown customer 'CUST:GHOST'");

    [Fact]
    public async Task Import_IdOwnedByAnotherSubstation_IsRejectedAgainstTheDatabase() =>
        // A fuse id that the already-loaded IEEE 8500 substation owns.
        await AssertRejected(await Import(ValidNodes.Select(l => l.Replace("FUS:T1", "FUS:LN5686244-1", StringComparison.Ordinal)), ValidAssets),
            "nodes.csv", 4, "id 'FUS:LN5686244-1' already belongs to substation 'SUB:HVMV_Sub'");

    [Fact]
    public async Task Import_MeterOwnedByAnotherSubstation_IsRejectedAgainstTheDatabase() =>
        await AssertRejected(await Import(ValidNodes, WithLine(ValidAssets, 3, "CUST:T2,ACT2,KFM850000001,")),
            "assets.csv", 3, "meter_id 'KFM850000001' already belongs to customer 'CUST:226195333C0'");

    [Fact]
    public async Task Import_ManyErrors_ReportsEachAndWritesNothing()
    {
        var nodes = WithLine(WithLine(ValidNodes, 4, "FUS:T1,capacitor,FDR:T1,35.001,-118.002,A,Cap"), 6, "CUST:T1,customer,XFMR:T1,35.0021,-999,A,Customer 1");
        var result = await Import(nodes, WithLine(ValidAssets, 3, "CUST:T2,ACT2,,"));

        Assert.False(result.Succeeded);
        Assert.Equal(3, result.TotalErrors);
        Assert.Equal([("nodes.csv", 4), ("nodes.csv", 6), ("assets.csv", 3)],
            result.Errors.Select(e => (e.File, e.Line)).OrderByDescending(e => e.File).ThenBy(e => e.Line));
        Assert.Equal(_before, await NetworkFingerprint.TakeAsync(_db));
    }
}
