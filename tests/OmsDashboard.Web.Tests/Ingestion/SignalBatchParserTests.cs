using System.Text;
using OmsDashboard.Web.Ingestion;

namespace OmsDashboard.Web.Tests.Ingestion;

/// <summary>The record rules of the parser, without HTTP or a database.</summary>
public sealed class SignalBatchParserTests
{
    private static readonly DateTimeOffset Arrival = new(2026, 11, 27, 13, 1, 0, TimeSpan.Zero);

    private static ParsedBatch Parse(string json, SignalSchema? schema = null) =>
        SignalBatchParser.Parse(Encoding.UTF8.GetBytes(json), schema ?? SignalSchema.Kaifa, Arrival);

    private static IReadOnlyList<string> ErrorsOf(string record, SignalSchema? schema = null) =>
        Assert.Single(Parse($"[{record}]", schema).Rejected).Errors;

    [Fact]
    public void Parse_ValidRecord_KeepsEveryField()
    {
        var batch = Parse("""[{"eventId":"KF-1","meterId":"KFM1","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z","receivedAt":"2026-11-27T13:00:41+01:00","eventCode":"E9"}]""");

        var r = Assert.Single(batch.Valid);
        Assert.Equal(("KF-1", "KFM1", "last_gasp", "E9"), (r.Id, r.AssetId, r.Type, r.Detail));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 13, 0, 5, TimeSpan.Zero), r.OccurredAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 12, 0, 41, TimeSpan.Zero), r.ReceivedAt);
        Assert.Equal(1, batch.Total);
    }

    [Fact]
    public void Parse_WithoutReceivedAt_UsesTheArrivalTime() =>
        Assert.Equal(Arrival, Assert.Single(Parse("""[{"eventId":"KF-1","meterId":"KFM1","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"}]""").Valid).ReceivedAt);

    [Fact]
    public void Parse_EscapedText_IsUnescaped()
    {
        var r = Assert.Single(Parse("""[{"eventId":"KF-\u00e9\"1\"","meterId":"KFM\/1","eventType":"last_\u0067asp","occurredAt":"2026-11-27T13:00:05\u005a"}]""").Valid);

        Assert.Equal(("KF-é\"1\"", "KFM/1", "last_gasp"), (r.Id, r.AssetId, r.Type));
    }

    [Theory]
    [InlineData("""{"eventId":"KF-1","EventId":"x","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z","eventId":"KF-2"}""", "eventId appears more than once")]
    [InlineData("""{"EventId":"KF-1","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"}""", "eventId is missing")]
    [InlineData("""{"eventId":null,"meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"}""", "eventId is missing")]
    [InlineData("""{"eventId":"KF-\u0000","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"}""", "eventId contains a NUL character")]
    [InlineData("""{"eventId":"KF-\ud800","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"}""", "eventId is not valid Unicode text")]
    [InlineData("""{"eventId":{"a":1},"meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"}""", "eventId must be a string, not an object")]
    [InlineData("""{"eventId":"KF-1","meterId":"M","eventType":"Last_Gasp","occurredAt":"2026-11-27T13:00:05Z"}""", "eventType 'Last_Gasp' is not one of last_gasp, power_restore")]
    [InlineData("""{"eventId":"KF-1","meterId":"M","eventType":"dying_gasp","occurredAt":"2026-11-27T13:00:05Z"}""", "eventType 'dying_gasp' is not one of last_gasp, power_restore")]
    [InlineData("""{"eventId":"KF-1","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27"}""", "occurredAt '2026-11-27' is not an ISO 8601 time with an offset (e.g. 2026-11-27T13:00:00Z)")]
    [InlineData("""{"eventId":"KF-1","meterId":"M","eventType":"last_gasp","occurredAt":"2026-02-30T13:00:05Z"}""", "occurredAt '2026-02-30T13:00:05Z' is not an ISO 8601 time with an offset (e.g. 2026-11-27T13:00:00Z)")]
    [InlineData("""{"eventId":"KF-1","meterId":"M","eventType":"last_gasp","occurredAt":1764248405}""", "occurredAt a number is not an ISO 8601 time with an offset (e.g. 2026-11-27T13:00:00Z)")]
    [InlineData("""{"eventId":"KF-1","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z","receivedAt":"soon"}""", "receivedAt 'soon' is not an ISO 8601 time with an offset (e.g. 2026-11-27T13:00:00Z)")]
    public void Parse_BrokenRule_RejectsTheRecordSayingWhy(string record, string error) => Assert.Contains(error, ErrorsOf(record));

    [Fact]
    public void Parse_LongestAllowedText_Passes_OneMore_IsRejected()
    {
        string id128 = new('i', 128);
        string Record(string id) => $$"""{"eventId":"{{id}}","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"}""";

        Assert.Single(Parse($"[{Record(id128)}]").Valid);
        var rejected = Assert.Single(Parse($"[{Record(id128 + "i")}]").Rejected);
        Assert.Equal(["eventId is longer than 128 characters"], rejected.Errors);
        Assert.Equal(id128 + "i", rejected.Id);
    }

    [Fact]
    public void Parse_VeryLongId_IsShortenedInTheAnswer()
    {
        var rejected = Assert.Single(Parse($$"""[{"eventId":"{{new string('x', 5000)}}","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"}]""").Rejected);

        Assert.Equal(201, rejected.Id!.Length);
    }

    [Fact]
    public void Parse_ScadaOnuAndCallcenter_UseTheirOwnFieldNames()
    {
        Assert.Equal(["deviceId is missing"], ErrorsOf("""{"eventId":"S","meterId":"M","eventType":"trip","occurredAt":"2026-11-27T13:00:05Z"}""", SignalSchema.Scada));
        Assert.Equal(["onuId is missing"], ErrorsOf("""{"eventId":"O","eventType":"online","occurredAt":"2026-11-27T13:00:05Z"}""", SignalSchema.Onu));
        Assert.Equal(["ticketId is missing", "category is missing", "reportedAt is missing"],
            ErrorsOf("""{"eventId":"C","accountNumber":"A","eventType":"no_power","occurredAt":"2026-11-27T13:00:05Z"}""", SignalSchema.Callcenter));
        var call = Assert.Single(Parse("""[{"ticketId":"C","accountNumber":" ","lat":-90,"lon":180,"category":"no_power","reportedAt":"2026-11-27T13:00:05Z","address":"","notes":null}]""", SignalSchema.Callcenter).Valid);
        Assert.Equal((null, -90.0, 180.0, null, null), (call.AccountNumber, call.Lat, call.Lon, call.Address, call.Notes));
    }

    [Fact]
    public void Parse_RepeatedId_KeepsTheFirstAndCountsTheRest()
    {
        var batch = Parse("""
            [{"eventId":"A","meterId":"M1","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"},
             {"eventId":"A","meterId":"M2","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z"},
             {"eventId":"A","meterId":"M3","eventType":"bogus","occurredAt":"2026-11-27T13:00:05Z"},
             {"eventId":"A","meterId":"M4","eventType":"power_restore","occurredAt":"2026-11-27T13:00:05Z"}]
            """);

        Assert.Equal("M1", Assert.Single(batch.Valid).AssetId);
        Assert.Equal(2, batch.RepeatedInBatch);
        Assert.Equal(2, Assert.Single(batch.Rejected).Index);
        Assert.Equal(4, batch.Total);
    }

    [Fact]
    public void Parse_UnknownFields_AreIgnoredWhateverTheyHold() =>
        Assert.Single(Parse("""[{"vendor":{"x":[1,{"y":null}],"z":"q"},"eventId":"A","meterId":"M","eventType":"last_gasp","occurredAt":"2026-11-27T13:00:05Z","n":1.5e3,"b":true}]""").Valid);
}
