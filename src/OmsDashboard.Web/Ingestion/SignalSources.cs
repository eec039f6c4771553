using System.Text;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Web.Ingestion;

/// <summary>The fields a record can have (a record's fields seen so far, as flags).</summary>
[Flags]
internal enum SignalField
{
    None = 0,
    Id = 1,
    Type = 2,
    Time = 4,
    ReceivedAt = 8,
    Asset = 16,
    Detail = 32,
    AccountNumber = 64,
    Lat = 128,
    Lon = 256,
    Address = 512,
    CallerPhone = 1024,
    Notes = 2048,
}

/// <summary>
/// What a record of each source looks like on the wire (contract §2): its field names, its types,
/// and the length caps of its text. Field names are matched exactly (camelCase); unknown fields
/// are ignored (the contract may add optional ones).
/// </summary>
internal sealed class SignalSchema
{
    public const int MaxIdLength = 128;
    public const int MaxReferenceLength = 128;
    public const int MaxEventCodeLength = 64;
    public const int MaxPhoneLength = 40;
    public const int MaxAddressLength = 500;
    public const int MaxTextLength = 2000;

    private readonly (byte[] Utf8, SignalField Field, string Name)[] _fields;
    private readonly (byte[] Utf8, string Value)[] _types;

    private SignalSchema(SourceSystem source, string idField, string typeField, string timeField, string[] types,
        (string Name, SignalField Field)[] fields)
    {
        Source = source;
        Name = SignalTypes.ToWire(source);
        Types = types;
        _types = [.. types.Select(t => (Encoding.UTF8.GetBytes(t), t))];
        var all = new List<(string, SignalField)> { (idField, SignalField.Id), (typeField, SignalField.Type), (timeField, SignalField.Time), ("receivedAt", SignalField.ReceivedAt) };
        all.AddRange(fields);
        _fields = [.. all.Select(f => (Encoding.UTF8.GetBytes(f.Item1), f.Item2, f.Item1))];
        TypesText = string.Join(", ", types);
    }

    public SourceSystem Source { get; }
    public string Name { get; }
    public IReadOnlyList<string> Types { get; }
    public string TypesText { get; }
    public bool IsCall => Source == SourceSystem.Callcenter;

    /// <summary>Every field of this source, by wire name (the id, type and time fields first).</summary>
    public IEnumerable<(string Name, SignalField Field)> Fields => _fields.Select(f => (f.Name, f.Field));

    /// <summary>The wire name of a field of this source.</summary>
    public string FieldName(SignalField field) => _fields.First(f => f.Field == field).Name;

    public bool Has(SignalField field) => _fields.Any(f => f.Field == field);

    /// <summary>The field whose name the reader is on, or <see cref="SignalField.None"/>.</summary>
    public SignalField Match(ref System.Text.Json.Utf8JsonReader reader)
    {
        foreach (var f in _fields)
        {
            if (reader.ValueTextEquals(f.Utf8))
            {
                return f.Field;
            }
        }
        return SignalField.None;
    }

    /// <summary>The type whose spelling the reader is on (as a shared string), or null.</summary>
    public string? MatchType(ref System.Text.Json.Utf8JsonReader reader)
    {
        foreach (var t in _types)
        {
            if (reader.ValueTextEquals(t.Utf8))
            {
                return t.Value;
            }
        }
        return null;
    }

    public int MaxLength(SignalField field) => field switch
    {
        SignalField.Id => MaxIdLength,
        SignalField.Asset or SignalField.AccountNumber => MaxReferenceLength,
        SignalField.Detail => Source == SourceSystem.Kaifa ? MaxEventCodeLength : MaxTextLength,
        SignalField.CallerPhone => MaxPhoneLength,
        SignalField.Address => MaxAddressLength,
        _ => MaxTextLength,
    };

    public static readonly SignalSchema Scada = new(SourceSystem.Scada, "eventId", "eventType", "occurredAt",
        ["trip", "lockout", "close", "alarm"], [("deviceId", SignalField.Asset), ("description", SignalField.Detail)]);

    public static readonly SignalSchema Kaifa = new(SourceSystem.Kaifa, "eventId", "eventType", "occurredAt",
        ["last_gasp", "power_restore"], [("meterId", SignalField.Asset), ("eventCode", SignalField.Detail)]);

    public static readonly SignalSchema Onu = new(SourceSystem.Onu, "eventId", "eventType", "occurredAt",
        ["dying_gasp", "online", "los"], [("onuId", SignalField.Asset)]);

    public static readonly SignalSchema Callcenter = new(SourceSystem.Callcenter, "ticketId", "category", "reportedAt",
        ["no_power", "partial_power", "flickering", "wire_down", "power_restored"],
        [("accountNumber", SignalField.AccountNumber), ("lat", SignalField.Lat), ("lon", SignalField.Lon), ("address", SignalField.Address),
         ("callerPhone", SignalField.CallerPhone), ("notes", SignalField.Notes)]);

    public static readonly IReadOnlyList<SignalSchema> All = [Scada, Kaifa, Onu, Callcenter];

    /// <summary>The schema of a source named in a route (exact, lower case), or null.</summary>
    public static SignalSchema? Find(string source) => source switch
    {
        "scada" => Scada,
        "kaifa" => Kaifa,
        "onu" => Onu,
        "callcenter" => Callcenter,
        _ => null,
    };
}
