using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Topology;

/// <summary>
/// A small valid network as file text, which a test changes in one place to make one problem.
/// The header is line 1, so the row at index i of <see cref="Nodes"/> is on line i + 2.
/// </summary>
internal sealed class TopologyText
{
    public const string NodesHeader = "id,kind,parent_id,lat,lon,phase,name";
    public const string AssetsHeader = "customer_id,account_number,meter_id,onu_id";

    public string NodesHeaderRow { get; set; } = NodesHeader;
    public string AssetsHeaderRow { get; set; } = AssetsHeader;

    /// <summary>Lines 2 to 8 of nodes.csv.</summary>
    public List<string> Nodes { get; } =
    [
        "SUB:1,substation,,34.0,-117.0,ABC,Substation 1",          // line 2
        "FDR:1,feeder,SUB:1,34.0,-117.0,ABC,Feeder 1",             // line 3
        "RCL:1,recloser,FDR:1,34.01,-117.01,ABC,Recloser 1",       // line 4
        "FUS:1,fuse,RCL:1,34.02,-117.02,A,Fuse 1",                 // line 5
        "XFMR:1,transformer,FUS:1,34.03,-117.03,A,Transformer 1",  // line 6
        "CUST:1,customer,XFMR:1,34.031,-117.031,A,Customer 1",     // line 7
        "CUST:2,customer,XFMR:1,34.032,-117.032,A,Customer 2",     // line 8
    ];

    /// <summary>Lines 2 and 3 of assets.csv.</summary>
    public List<string> Assets { get; } =
    [
        "CUST:1,AC1,KFM1,ONU1",  // line 2
        "CUST:2,AC2,KFM2,",      // line 3
    ];

    /// <summary>The line the next appended node row will be on.</summary>
    public int NextNodeLine => Nodes.Count + 2;

    /// <summary>The line the next appended asset row will be on.</summary>
    public int NextAssetLine => Assets.Count + 2;

    public string NodesCsv => Join(NodesHeaderRow, Nodes);

    public string AssetsCsv => Join(AssetsHeaderRow, Assets);

    public TopologyParseResult Parse() => RealFeeders.Parse(NodesCsv, AssetsCsv);

    /// <summary>A node row with ordinary coordinates.</summary>
    public static string Node(string id, string kind, string parent, string phase = "A") =>
        $"{id},{kind},{parent},34.05,-117.05,{phase},{id} name";

    private static string Join(string header, IEnumerable<string> rows) =>
        header + "\n" + string.Concat(rows.Select(r => r + "\n"));
}
