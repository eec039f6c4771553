using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Topology;

public sealed class TopologyFilesTests
{
    /// <summary>Asserts the parse failed with exactly one error, at that place, naming every fragment.</summary>
    private static ImportError AssertSingleError(TopologyParseResult result, string file, int line, params string[] fragments)
    {
        Assert.False(result.Succeeded);
        Assert.Null(result.Network);
        Assert.Equal(1, result.TotalErrors);
        var error = Assert.Single(result.Errors);
        Assert.Equal(file, error.File);
        Assert.Equal(line, error.Line);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, error.Reason, StringComparison.Ordinal);
        }
        return error;
    }

    [Fact]
    public void Parse_ValidSmallNetwork_Succeeds()
    {
        // Arrange
        var text = new TopologyText();

        // Act
        var result = text.Parse();

        // Assert
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Empty(result.Errors);
        Assert.Equal(0, result.TotalErrors);
        var network = result.Network!;
        Assert.Equal(["SUB:1", "FDR:1", "RCL:1", "FUS:1", "XFMR:1", "CUST:1", "CUST:2"], network.Ids);
        Assert.Equal([-1, 0, 1, 2, 3, 4, 4], network.Parents);
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], network.SourceLines);
        Assert.Equal("Substation 1", network.Names[0]);
        Assert.Equal(34.031, network.Lats[5]);
        Assert.Equal(-117.031, network.Lons[5]);
        Assert.Equal("ABC", network.Phases[0]);
        Assert.Equal(new CustomerAssets("CUST:1", "AC1", "KFM1", "ONU1", 2), network.AssetsOf("CUST:1"));
        Assert.Equal(new CustomerAssets("CUST:2", "AC2", "KFM2", null, 3), network.AssetsOf("CUST:2"));
    }

    [Fact]
    public void Parse_ChildrenBeforeParents_GivesTheSameNetworkNumberedParentsFirst()
    {
        // Arrange
        var ordered = new TopologyText().Parse().Network!;
        var reversed = new TopologyText();
        reversed.Nodes.Reverse();
        reversed.Assets.Reverse();

        // Act
        var result = reversed.Parse();

        // Assert
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var network = result.Network!;
        Assert.Equal(ParentIdsById(ordered), ParentIdsById(network));
        Assert.All(Enumerable.Range(0, network.Count), i => Assert.True(network.Parents[i] < i));
        Assert.Equal(8, network.SourceLines[0]); // the substation is now the last row
    }

    private static Dictionary<string, string?> ParentIdsById(NetworkTopology n) =>
        Enumerable.Range(0, n.Count).ToDictionary(i => n.Ids[i], i => n.Parents[i] < 0 ? null : n.Ids[n.Parents[i]]);

    [Fact]
    public void Parse_MissingParent_ReportsRowAndTheMissingId()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("FUS:2", "fuse", "RCL:404"));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, "missing parent 'RCL:404'", "'FUS:2'");
    }

    [Fact]
    public void Parse_TwoNodeCycle_ReportsCycleNamingBothIdsOnItsFirstLine()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("FUS:A", "fuse", "FUS:B"));
        text.Nodes.Add(TopologyText.Node("FUS:B", "fuse", "FUS:A"));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, "cycle", "'FUS:A'", "'FUS:B'");
    }

    [Fact]
    public void Parse_ThreeNodeCycleWithNodesBelowIt_ReportsOnlyTheCycleNamingAllThree()
    {
        // Arrange: a transformer and a customer hang below the cycle and come first in the file;
        // the cycle's rows are in the order C, A, B, on lines 11 to 13.
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("XFMR:9", "transformer", "SW:B"));
        text.Nodes.Add(TopologyText.Node("CUST:9", "customer", "XFMR:9"));
        text.Assets.Add("CUST:9,AC9,KFM9,");
        text.Nodes.Add(TopologyText.Node("SW:C", "switch", "SW:B"));
        text.Nodes.Add(TopologyText.Node("SW:A", "switch", "SW:C"));
        text.Nodes.Add(TopologyText.Node("SW:B", "switch", "SW:A"));

        // Act
        var result = text.Parse();

        // Assert
        var error = AssertSingleError(result, "nodes.csv", line + 2, "cycle", "'SW:A'", "'SW:B'", "'SW:C'");
        Assert.DoesNotContain("XFMR:9", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NodeIsItsOwnParent_ReportsCycle()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("FUS:S", "fuse", "FUS:S"));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, "cycle", "'FUS:S'");
    }

    [Fact]
    public void Parse_DuplicateId_ReportsSecondRowNamingTheFirstLine()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("FUS:1", "fuse", "RCL:1"));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, "duplicate id 'FUS:1'", "first on line 5");
    }

    [Theory]
    [InlineData("breaker")]
    [InlineData("Fuse")]
    [InlineData("")]
    public void Parse_UnknownKind_ReportsTheKind(string kind)
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("X:1", kind, "FDR:1"));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, $"unknown kind '{kind}'");
    }

    [Theory]
    [InlineData("abc", "-117", "lat 'abc' is not a number")]
    [InlineData("NaN", "-117", "lat 'NaN' is not a number")]
    [InlineData("34", "Infinity", "lon 'Infinity' is not a number")]
    [InlineData("91", "-117", "lat 91 is out of range")]
    [InlineData("-90.5", "-117", "lat -90.5 is out of range")]
    [InlineData("34", "-181", "lon -181 is out of range")]
    [InlineData("34", "180.0001", "lon 180.0001 is out of range")]
    [InlineData("", "-117", "lat is empty")]
    [InlineData("34", " ", "lon is empty")]
    public void Parse_BadCoordinate_ReportsColumnAndProblem(string lat, string lon, string expected)
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add($"FUS:2,fuse,RCL:1,{lat},{lon},A,Fuse 2");

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, expected);
    }

    [Theory]
    [InlineData("90", "180")]
    [InlineData("-90", "-180")]
    [InlineData(" 34.5 ", "-1.17e2")]
    public void Parse_CoordinateOnTheLimitsOrInExponentForm_IsAccepted(string lat, string lon)
    {
        // Arrange
        var text = new TopologyText();
        text.Nodes.Add($"FUS:2,fuse,RCL:1,{lat},{lon},A,Fuse 2");

        // Act
        var result = text.Parse();

        // Assert
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.True(result.Network!.TryGetIndex("FUS:2", out int i));
        Assert.Equal(double.Parse(lat, System.Globalization.CultureInfo.InvariantCulture), result.Network.Lats[i]);
        Assert.Equal(double.Parse(lon, System.Globalization.CultureInfo.InvariantCulture), result.Network.Lons[i]);
    }

    [Fact]
    public void Parse_RowWithSeveralBadFields_ReportsEachOnTheSameLine()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(",breaker,FDR:1,95,x,A,bad");

        // Act
        var result = text.Parse();

        // Assert
        Assert.Equal(4, result.TotalErrors);
        Assert.All(result.Errors, e => Assert.Equal(("nodes.csv", line), (e.File, e.Line)));
        string reasons = string.Join(" | ", result.Errors.Select(e => e.Reason));
        Assert.Contains("id is empty", reasons, StringComparison.Ordinal);
        Assert.Contains("unknown kind 'breaker'", reasons, StringComparison.Ordinal);
        Assert.Contains("lat 95 is out of range", reasons, StringComparison.Ordinal);
        Assert.Contains("lon 'x' is not a number", reasons, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FUS:2,fuse,RCL:1,34.0,-117.0,A", 6)]
    [InlineData("FUS:2,fuse,RCL:1,34.0,-117.0,A,Fuse 2,extra", 8)]
    [InlineData("FUS:2", 1)]
    public void Parse_NodeRowWithWrongFieldCount_ReportsExpectedAndFound(string row, int found)
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(row);

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, $"expected 7 fields, found {found}");
    }

    [Fact]
    public void Parse_AssetRowWithWrongFieldCount_ReportsExpectedAndFound()
    {
        // Arrange
        var text = new TopologyText();
        text.Assets[1] = "CUST:2,AC2,KFM2";

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "assets.csv", 3, "expected 4 fields, found 3");
    }

    [Theory]
    [InlineData("id,kind,parent_id,lat,lon,name", "phase")]
    [InlineData("kind,parent_id,lat,lon,phase,name,identifier", "id")]
    [InlineData("id,kind,parent,lat,lon,phase,name", "parent_id")]
    public void Parse_NodesHeaderMissingColumn_ReportsTheColumnOnLineOne(string header, string missing)
    {
        // Arrange
        var text = new TopologyText { NodesHeaderRow = header };

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", 1, $"header has no column '{missing}'");
    }

    [Fact]
    public void Parse_AssetsHeaderMissingColumn_ReportsTheColumnOnLineOne()
    {
        // Arrange
        var text = new TopologyText { AssetsHeaderRow = "customer_id,account_number,meter_id" };
        text.Assets[0] = "CUST:1,AC1,KFM1";
        text.Assets[1] = "CUST:2,AC2,KFM2";

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "assets.csv", 1, "header has no column 'onu_id'");
    }

    [Fact]
    public void Parse_HeaderWithExtraColumn_ReportsColumnCount()
    {
        // Arrange
        var text = new TopologyText { NodesHeaderRow = TopologyText.NodesHeader + ",owner" };

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", 1, "header has 8 columns, expected 7");
    }

    [Fact]
    public void Parse_HeaderColumnsReorderedWithByteOrderMark_MapsColumnsByName()
    {
        // Arrange
        var text = new TopologyText { NodesHeaderRow = "\uFEFFname,phase,lon,lat,parent_id,kind,id" };
        for (int i = 0; i < text.Nodes.Count; i++)
        {
            text.Nodes[i] = string.Join(',', text.Nodes[i].Split(',').Reverse());
        }

        // Act
        var result = text.Parse();

        // Assert
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var network = result.Network!;
        Assert.Equal(["SUB:1", "FDR:1", "RCL:1", "FUS:1", "XFMR:1", "CUST:1", "CUST:2"], network.Ids);
        Assert.Equal(NodeKind.Recloser, network.Kinds[2]);
        Assert.Equal("Recloser 1", network.Names[2]);
        Assert.Equal(34.01, network.Lats[2]);
    }

    [Fact]
    public void Parse_EmptyNodesFile_ReportsMissingHeader()
    {
        // Act
        var result = TopologyFiles.Parse(new StringReader(""), "nodes.csv",
            new StringReader(TopologyText.AssetsHeader + "\n"), "assets.csv");

        // Assert
        AssertSingleError(result, "nodes.csv", 0, "file is empty");
    }

    [Fact]
    public void Parse_AssetForUnknownCustomer_ReportsAssetRow()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextAssetLine;
        text.Assets.Add("CUST:404,AC9,KFM9,ONU9");

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "assets.csv", line, "unknown customer 'CUST:404'");
    }

    [Fact]
    public void Parse_AssetForNonCustomerNode_ReportsTheNodesKind()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextAssetLine;
        text.Assets.Add("XFMR:1,AC9,KFM9,");

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "assets.csv", line, "'XFMR:1' is a transformer, not a customer");
    }

    [Theory]
    [InlineData("CUST:2,AC2,KFM1,", "duplicate meter_id 'KFM1' (first on line 2)")]
    [InlineData("CUST:2,AC2,KFM2,ONU1", "duplicate onu_id 'ONU1' (first on line 2)")]
    [InlineData("CUST:2,AC1,KFM2,", "duplicate account_number 'AC1' (first on line 2)")]
    public void Parse_DuplicateAssetId_ReportsSecondRowNamingTheFirstLine(string secondRow, string expected)
    {
        // Arrange
        var text = new TopologyText();
        text.Assets[1] = secondRow;

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "assets.csv", 3, expected);
    }

    [Fact]
    public void Parse_SecondAssetRowForSameCustomer_ReportsDuplicateCustomer()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextAssetLine;
        text.Assets.Add("CUST:1,AC9,KFM9,");

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "assets.csv", line, "duplicate customer_id 'CUST:1' (first on line 2)");
    }

    [Fact]
    public void Parse_CustomerWithoutAssetRow_ReportsTheCustomersNodeRow()
    {
        // Arrange
        var text = new TopologyText();
        text.Assets.RemoveAt(1);

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", 8, "customer 'CUST:2' has no row in assets.csv");
    }

    [Theory]
    [InlineData("CUST:2,,KFM2,", "account_number is empty")]
    [InlineData("CUST:2,AC2,,", "meter_id is empty")]
    [InlineData(",AC2,KFM2,", "customer_id is empty")]
    public void Parse_AssetWithEmptyRequiredField_ReportsTheField(string row, string expected)
    {
        // Arrange
        var text = new TopologyText();
        text.Assets[1] = row;

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "assets.csv", 3, expected);
    }

    [Fact]
    public void Parse_SubstationWithParent_ReportsIt()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("SUB:2", "substation", "SUB:1"));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, "substation 'SUB:2' has parent_id 'SUB:1'");
    }

    [Theory]
    [InlineData("feeder")]
    [InlineData("fuse")]
    [InlineData("transformer")]
    public void Parse_NonSubstationWithoutParent_ReportsIt(string kind)
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("X:2", kind, ""));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, $"{kind} 'X:2' has no parent_id");
    }

    [Fact]
    public void Parse_CustomerUnderFuse_ReportsWrongParentKind()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("CUST:3", "customer", "FUS:1"));
        text.Assets.Add("CUST:3,AC3,KFM3,");

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, "a fuse ('FUS:1') cannot be the parent of a customer ('CUST:3')");
    }

    [Theory]
    [InlineData("transformer", "SUB:1", "a substation ('SUB:1') cannot be the parent of a transformer")]
    [InlineData("fuse", "SUB:1", "a substation ('SUB:1') cannot be the parent of a fuse")]
    [InlineData("feeder", "FDR:1", "a feeder ('FDR:1') cannot be the parent of a feeder")]
    [InlineData("fuse", "XFMR:1", "a transformer ('XFMR:1') cannot be the parent of a fuse")]
    [InlineData("transformer", "XFMR:1", "a transformer ('XFMR:1') cannot be the parent of a transformer")]
    [InlineData("switch", "CUST:1", "a customer ('CUST:1') cannot be the parent of a switch")]
    public void Parse_WrongParentKind_ReportsBothKinds(string kind, string parent, string expected)
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("X:2", kind, parent));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, expected);
    }

    [Theory]
    [InlineData("recloser", "FUS:1")]
    [InlineData("switch", "RCL:1")]
    [InlineData("fuse", "FUS:1")]
    [InlineData("transformer", "FDR:1")]
    public void Parse_AllowedParentKind_IsAccepted(string kind, string parent)
    {
        // Arrange
        var text = new TopologyText();
        text.Nodes.Add(TopologyText.Node("X:2", kind, parent));

        // Act
        var result = text.Parse();

        // Assert
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
    }

    [Theory]
    [InlineData("ABD")]
    [InlineData("N")]
    [InlineData("A-B")]
    [InlineData("a")]
    public void Parse_PhaseWithBadLetter_ReportsThePhase(string phase)
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("FUS:2", "fuse", "RCL:1", phase));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, $"phase '{phase}' is not made of the letters A, B, C");
    }

    [Fact]
    public void Parse_EmptyPhase_IsAcceptedAsNull()
    {
        // Arrange
        var text = new TopologyText();
        text.Nodes.Add(TopologyText.Node("FUS:2", "fuse", "RCL:1", ""));

        // Act
        var result = text.Parse();

        // Assert
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.True(result.Network!.TryGetIndex("FUS:2", out int i));
        Assert.Null(result.Network.Phases[i]);
    }

    [Fact]
    public void Parse_QuotedNameSpanningLines_LaterErrorsKeepTheirPhysicalLine()
    {
        // Arrange: the quoted name takes lines 9 and 10, so the bad row is on line 11.
        var text = new TopologyText();
        text.Nodes.Add("FUS:2,fuse,RCL:1,34.0,-117.0,A,\"Fuse 2, on\ntwo lines\"");
        text.Nodes.Add(TopologyText.Node("FUS:3", "bogus", "RCL:1"));

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", 11, "unknown kind 'bogus'");
    }

    [Fact]
    public void Parse_UnterminatedQuote_ReportsTheRecordsFirstLine()
    {
        // Arrange
        var text = new TopologyText();
        int line = text.NextNodeLine;
        text.Nodes.Add("FUS:2,fuse,RCL:1,34.0,-117.0,A,\"never closed");

        // Act
        var result = text.Parse();

        // Assert
        AssertSingleError(result, "nodes.csv", line, "unterminated quoted field");
    }

    [Fact]
    public void Parse_BlankLinesAndCrLf_AreIgnoredButCounted()
    {
        // Arrange
        var text = new TopologyText();
        text.Nodes.Insert(3, "");
        int line = text.NextNodeLine;
        text.Nodes.Add(TopologyText.Node("FUS:2", "bogus", "RCL:1"));
        string nodes = text.NodesCsv.Replace("\n", "\r\n", StringComparison.Ordinal);

        // Act
        var result = RealFeeders.Parse(nodes, text.AssetsCsv);

        // Assert
        AssertSingleError(result, "nodes.csv", line, "unknown kind 'bogus'");
    }

    [Fact]
    public void Parse_RowErrorsInBothFiles_ReportsAllSortedByFileThenLine()
    {
        // Arrange
        var text = new TopologyText();
        text.Nodes.Add(TopologyText.Node("FUS:2", "bogus", "RCL:1"));     // line 9
        text.Nodes.Add("FUS:3,fuse,RCL:1,100,-117,A,Fuse 3");              // line 10
        text.Assets[0] = "CUST:1,AC1,,";                                   // line 2

        // Act
        var result = text.Parse();

        // Assert
        Assert.Null(result.Network);
        Assert.Equal(3, result.TotalErrors);
        Assert.Equal([("assets.csv", 2), ("nodes.csv", 9), ("nodes.csv", 10)], result.Errors.Select(e => (e.File, e.Line)));
        Assert.Contains("meter_id is empty", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("unknown kind 'bogus'", result.Errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("lat 100 is out of range", result.Errors[2].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralStructuralErrors_ReportsEveryOne()
    {
        // Arrange
        var text = new TopologyText();
        text.Nodes.Add(TopologyText.Node("FUS:2", "fuse", "RCL:404"));     // line 9: missing parent
        text.Nodes.Add(TopologyText.Node("RCL:1", "recloser", "FDR:1"));   // line 10: duplicate id
        text.Nodes.Add(TopologyText.Node("SW:A", "switch", "SW:B"));       // line 11: cycle
        text.Nodes.Add(TopologyText.Node("SW:B", "switch", "SW:A"));       // line 12
        text.Assets.Add("CUST:404,AC9,KFM9,");                              // assets line 4: unknown customer
        text.Assets[1] = "CUST:2,AC2,KFM1,";                                // assets line 3: duplicate meter

        // Act
        var result = text.Parse();

        // Assert
        Assert.Null(result.Network);
        Assert.Equal(5, result.TotalErrors);
        Assert.Equal(
            [("assets.csv", 3), ("assets.csv", 4), ("nodes.csv", 9), ("nodes.csv", 10), ("nodes.csv", 11)],
            result.Errors.Select(e => (e.File, e.Line)));
        Assert.Contains("duplicate meter_id", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("unknown customer", result.Errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("missing parent", result.Errors[2].Reason, StringComparison.Ordinal);
        Assert.Contains("duplicate id", result.Errors[3].Reason, StringComparison.Ordinal);
        Assert.Contains("cycle", result.Errors[4].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MoreRowErrorsThanTheCap_KeepsTheFirstAndCountsAll()
    {
        // Arrange
        const int bad = TopologyFiles.MaxReportedErrors + 57;
        var text = new TopologyText();
        int first = text.NextNodeLine;
        for (int i = 0; i < bad; i++)
        {
            text.Nodes.Add(TopologyText.Node($"FUS:x{i}", "bogus", "RCL:1"));
        }

        // Act
        var result = text.Parse();

        // Assert
        Assert.Null(result.Network);
        Assert.Equal(bad, result.TotalErrors);
        Assert.Equal(TopologyFiles.MaxReportedErrors, result.Errors.Count);
        Assert.Equal(Enumerable.Range(first, TopologyFiles.MaxReportedErrors), result.Errors.Select(e => e.Line));
    }

    [Fact]
    public void Parse_MoreStructuralErrorsThanTheCap_KeepsTheFirstAndCountsAll()
    {
        // Arrange
        const int bad = TopologyFiles.MaxReportedErrors + 1;
        var text = new TopologyText();
        for (int i = 0; i < bad; i++)
        {
            text.Nodes.Add(TopologyText.Node($"FUS:x{i}", "fuse", $"RCL:missing{i}"));
        }

        // Act
        var result = text.Parse();

        // Assert
        Assert.Equal(bad, result.TotalErrors);
        Assert.Equal(TopologyFiles.MaxReportedErrors, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.Contains("missing parent", e.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void ImportError_ToString_ShowsFileLineAndReason()
    {
        // Arrange
        var located = new ImportError("nodes.csv", 12, "missing parent 'X' of 'Y'");
        var whole = new ImportError("nodes.csv", 0, "file is empty");

        // Act
        string a = located.ToString();
        string b = whole.ToString();

        // Assert
        Assert.Equal("nodes.csv:12: missing parent 'X' of 'Y'", a);
        Assert.Equal("nodes.csv: file is empty", b);
    }

    [Fact]
    public void FromValidated_InvalidRecords_ThrowsNamingTheProblem()
    {
        // Arrange
        NodeRecord[] nodes =
        [
            new("SUB:1", NodeKind.Substation, null, 34, -117, "ABC", "s", 0),
            new("FUS:1", NodeKind.Fuse, "FDR:404", 34, -117, "A", "f", 0),
        ];

        // Act
        var ex = Assert.Throws<ArgumentException>(() => NetworkTopology.FromValidated(nodes, []));

        // Assert
        Assert.Contains("missing parent 'FDR:404'", ex.Message, StringComparison.Ordinal);
    }
}
