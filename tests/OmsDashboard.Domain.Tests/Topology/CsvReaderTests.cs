using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Topology;

public sealed class CsvReaderTests
{
    private sealed record Record(int Line, string[] Fields, string? Error);

    private static List<Record> ReadAll(string text)
    {
        var reader = new CsvReader(new StringReader(text));
        var fields = new List<string>();
        var records = new List<Record>();
        while (reader.TryRead(fields, out int line, out string? error))
        {
            records.Add(new Record(line, [.. fields], error));
        }
        return records;
    }

    [Fact]
    public void TryRead_PlainFields_SplitsOnCommas()
    {
        // Arrange
        const string text = "id,kind,name\nA,fuse,Fuse A\n";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal(2, records.Count);
        Assert.Equal(["id", "kind", "name"], records[0].Fields);
        Assert.Equal(["A", "fuse", "Fuse A"], records[1].Fields);
        Assert.All(records, r => Assert.Null(r.Error));
    }

    [Fact]
    public void TryRead_QuotedFieldWithCommas_KeepsCommasInOneField()
    {
        // Arrange
        const string text = "SUB:1,\"HVMV_Sub (115/12.47 kV, 27.5 MVA)\",x\n";

        // Act
        var records = ReadAll(text);

        // Assert
        var record = Assert.Single(records);
        Assert.Equal(["SUB:1", "HVMV_Sub (115/12.47 kV, 27.5 MVA)", "x"], record.Fields);
        Assert.Null(record.Error);
    }

    [Fact]
    public void TryRead_DoubledQuotesInQuotedField_UnescapesToOneQuote()
    {
        // Arrange
        const string text = "\"say \"\"hi\"\"\",\"\"\"\",\"a\"\"\"\n";

        // Act
        var records = ReadAll(text);

        // Assert
        var record = Assert.Single(records);
        Assert.Equal(["say \"hi\"", "\"", "a\""], record.Fields);
        Assert.Null(record.Error);
    }

    [Fact]
    public void TryRead_EmptyQuotedField_IsEmptyString()
    {
        // Arrange
        const string text = "\"\",x,\"\"\n";

        // Act
        var records = ReadAll(text);

        // Assert
        var record = Assert.Single(records);
        Assert.Equal(["", "x", ""], record.Fields);
        Assert.Null(record.Error);
    }

    [Fact]
    public void TryRead_QuotedFieldSpanningLines_KeepsNewlinesAndNextRecordStartsOnItsPhysicalLine()
    {
        // Arrange: the first record occupies lines 1 to 3.
        const string text = "1,\"first\nsecond\nthird\",3\n4,5,6\n";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal(2, records.Count);
        Assert.Equal(1, records[0].Line);
        Assert.Equal(["1", "first\nsecond\nthird", "3"], records[0].Fields);
        Assert.Null(records[0].Error);
        Assert.Equal(4, records[1].Line);
        Assert.Equal(["4", "5", "6"], records[1].Fields);
    }

    [Fact]
    public void TryRead_QuotedFieldSpanningCrLfLines_CountsEachCrLfOnce()
    {
        // Arrange
        const string text = "\"a\r\nb\"\r\nc\r\n";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal(2, records.Count);
        Assert.Equal((1, "a\r\nb"), (records[0].Line, Assert.Single(records[0].Fields)));
        Assert.Equal((3, "c"), (records[1].Line, Assert.Single(records[1].Fields)));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void TryRead_LineEnding_EndsRecordWithoutLeavingItInFields(string newline)
    {
        // Arrange
        string text = $"a,b{newline}c,d{newline}e,f{newline}";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal([1, 2, 3], records.Select(r => r.Line));
        Assert.Equal(["a", "b"], records[0].Fields);
        Assert.Equal(["c", "d"], records[1].Fields);
        Assert.Equal(["e", "f"], records[2].Fields);
    }

    [Fact]
    public void TryRead_LoneCarriageReturns_EndRecordsAndCountAsLinesInsideQuotesToo()
    {
        // Arrange: old Mac line endings; the quoted field holds one lone CR, so "c" is on line 3.
        const string text = "\"a\rb\"\rc\rd";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal([(1, "a\rb"), (3, "c"), (4, "d")], records.Select(r => (r.Line, Assert.Single(r.Fields))));
    }

    [Fact]
    public void TryRead_MixedLineEndings_NumbersEveryPhysicalLine()
    {
        // Arrange
        const string text = "a\r\nb\nc\r\nd";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal([(1, "a"), (2, "b"), (3, "c"), (4, "d")], records.Select(r => (r.Line, Assert.Single(r.Fields))));
    }

    [Fact]
    public void TryRead_LastRecordWithoutNewline_IsRead()
    {
        // Arrange
        const string text = "a,b\nc,d";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal(2, records.Count);
        Assert.Equal(["c", "d"], records[1].Fields);
    }

    [Theory]
    [InlineData("a,b,\n")]
    [InlineData("a,b,\r\n")]
    [InlineData("a,b,")]
    public void TryRead_EmptyTrailingField_IsKeptAsEmptyField(string text)
    {
        // Act
        var records = ReadAll(text);

        // Assert
        var record = Assert.Single(records);
        Assert.Equal(["a", "b", ""], record.Fields);
    }

    [Fact]
    public void TryRead_EmptyMiddleFields_AreKept()
    {
        // Act
        var records = ReadAll("a,,,b\n");

        // Assert
        Assert.Equal(["a", "", "", "b"], Assert.Single(records).Fields);
    }

    [Fact]
    public void TryRead_UnterminatedQuote_ReportsErrorOnTheLineTheRecordStarts()
    {
        // Arrange
        const string text = "a,b\nc,\"never closed\nd,e\n";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal(2, records.Count);
        Assert.Null(records[0].Error);
        Assert.Equal(2, records[1].Line);
        Assert.Equal("unterminated quoted field", records[1].Error);
    }

    [Fact]
    public void TryRead_TextAfterClosingQuote_ReportsErrorAndNextRecordIsClean()
    {
        // Arrange
        const string text = "\"a\"b,c\nd,e\n";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal(2, records.Count);
        Assert.Equal("text after a closing quote", records[0].Error);
        Assert.Equal(1, records[0].Line);
        Assert.Equal(2, records[1].Line);
        Assert.Null(records[1].Error);
        Assert.Equal(["d", "e"], records[1].Fields);
    }

    [Fact]
    public void TryRead_BlankLines_AreEmptyRecordsAndCountAsLines()
    {
        // Arrange
        const string text = "a\n\nb\n";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal([(1, "a"), (2, ""), (3, "b")], records.Select(r => (r.Line, Assert.Single(r.Fields))));
    }

    [Fact]
    public void TryRead_EveryRecord_CarriesItsStartLine()
    {
        // Arrange: record 2 spans lines 2-3, record 3 spans lines 4-6, record 4 is on line 7.
        const string text = "r1\n\"r2\nx\"\n\"r3\n\ny\"\nr4\n";

        // Act
        var records = ReadAll(text);

        // Assert
        Assert.Equal([1, 2, 4, 7], records.Select(r => r.Line));
        Assert.Equal(["r1", "r2\nx", "r3\n\ny", "r4"], records.Select(r => Assert.Single(r.Fields)));
    }

    [Fact]
    public void TryRead_AtEndOfInput_ReturnsFalseEveryTime()
    {
        // Arrange
        var reader = new CsvReader(new StringReader("a\n"));
        var fields = new List<string>();
        Assert.True(reader.TryRead(fields, out _, out _));

        // Act
        bool first = reader.TryRead(fields, out _, out _);
        bool second = reader.TryRead(fields, out _, out _);

        // Assert
        Assert.False(first);
        Assert.False(second);
        Assert.Empty(fields);
    }

    [Fact]
    public void TryRead_EmptyInput_ReturnsFalse()
    {
        // Act
        var records = ReadAll("");

        // Assert
        Assert.Empty(records);
    }
}
