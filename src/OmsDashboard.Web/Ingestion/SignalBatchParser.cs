using System.Globalization;
using System.Text.Json;
using OmsDashboard.Data.Ingestion;

namespace OmsDashboard.Web.Ingestion;

/// <summary>A record that was not stored, and why (contract §2's <c>rejected</c>).</summary>
public sealed record RejectedRecord(int Index, string? Id, IReadOnlyList<string> Errors);

/// <summary>
/// A parsed batch: the valid records (each id once, first occurrence kept), how many valid records
/// repeated an id earlier in the batch, and the rejected ones.
/// </summary>
internal sealed class ParsedBatch(int capacity)
{
    public List<IncomingSignal> Valid { get; } = new(capacity);
    public int RepeatedInBatch { get; set; }
    public List<RejectedRecord> Rejected { get; } = [];
    public int Total { get; set; }
}

/// <summary>The body is not a JSON array of 1..10,000 objects: the whole batch is refused.</summary>
internal sealed class BatchFormatException(int statusCode, string title, string detail, string? path = null, long? line = null, long? position = null)
    : Exception(detail)
{
    public int StatusCode { get; } = statusCode;
    public string Title { get; } = title;
    public string? Path { get; } = path;
    public long? Line { get; } = line;
    public long? Position { get; } = position;
}

/// <summary>
/// Reads a batch of one source's records with <see cref="Utf8JsonReader"/> in one pass over the
/// body's bytes: no document, no per-record objects besides the strings that get stored. Field
/// names and types are matched as UTF-8 bytes; types become shared strings. A record with errors
/// is rejected with every error found; the others are kept. A body that is not a JSON array of
/// objects throws <see cref="BatchFormatException"/> naming where (JSON path, line, position).
/// </summary>
internal static class SignalBatchParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    public static ParsedBatch Parse(ReadOnlySpan<byte> json, SignalSchema schema, DateTimeOffset arrival)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        int index = -1;
        long propertyAt = -1;
        try
        {
            if (json.IndexOfAnyExcept(" \t\r\n"u8) < 0 || !reader.Read())
            {
                throw new BatchFormatException(400, "Not a JSON array", $"The body is empty: send a JSON array of 1 to {IngestionOptions.MaxRecordsPerBatch:N0} {schema.Name} records.", "$");
            }
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw NotThere(json, reader.TokenStartIndex, "$",
                    $"The body must be a JSON array of {schema.Name} records; it is {Describe(reader.TokenType)}.");
            }
            var batch = new ParsedBatch(Math.Min(IngestionOptions.MaxRecordsPerBatch, Math.Max(16, json.Length / 128)));
            var seen = new HashSet<string>(batch.Valid.Capacity, StringComparer.Ordinal);
            while (true)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }
                index++;
                if (index >= IngestionOptions.MaxRecordsPerBatch)
                {
                    throw new BatchFormatException(413, "Too many records",
                        $"A batch holds at most {IngestionOptions.MaxRecordsPerBatch:N0} records; this one has more. Split it.");
                }
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw NotThere(json, reader.TokenStartIndex, $"$[{index}]",
                        $"$[{index}] is {Describe(reader.TokenType)}: every record must be a JSON object.");
                }
                ReadRecord(ref reader, schema, arrival, index, batch, seen, ref propertyAt);
                propertyAt = -1;
            }
            // Anything but whitespace after the array is an error (the reader throws).
            reader.Read();
            if (index < 0)
            {
                throw new BatchFormatException(400, "Empty batch", $"The array is empty: send 1 to {IngestionOptions.MaxRecordsPerBatch:N0} records.", "$");
            }
            batch.Total = index + 1;
            return batch;
        }
        catch (JsonException e)
        {
            string path = index < 0 ? "$" : $"$[{index}]";
            if (propertyAt >= 0 && PropertyName(json, propertyAt) is { } name)
            {
                path += "." + name;
            }
            string reason = e.Message;
            int cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                reason = reason[..cut];
            }
            long line = (e.LineNumber ?? 0) + 1, position = (e.BytePositionInLine ?? 0) + 1;
            throw new BatchFormatException(400, "Invalid JSON",
                $"The body is not valid JSON at {path} (line {line}, position {position}): {reason}", path, line, position);
        }
    }

    private static void ReadRecord(ref Utf8JsonReader reader, SignalSchema schema, DateTimeOffset arrival, int index,
        ParsedBatch batch, HashSet<string> seen, ref long propertyAt)
    {
        string? id = null, type = null, asset = null, detail = null, account = null, address = null, phone = null, notes = null;
        DateTimeOffset? occurred = null, received = null;
        double? lat = null, lon = null;
        List<string>? errors = null;
        var present = SignalField.None;
        var failed = SignalField.None;

        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }
            propertyAt = reader.TokenStartIndex;
            var field = schema.Match(ref reader);
            reader.Read();
            if (field == SignalField.None)
            {
                reader.Skip();
                continue;
            }
            if ((present & field) != 0)
            {
                Add(ref errors, $"{schema.FieldName(field)} appears more than once");
                failed |= field;
                reader.Skip();
                continue;
            }
            present |= field;
            if (reader.TokenType == JsonTokenType.Null)
            {
                present &= ~field; // null is absent
                continue;
            }
            switch (field)
            {
                case SignalField.Id: id = Text(ref reader, schema, field, ref errors, ref failed); break;
                case SignalField.Asset: asset = Text(ref reader, schema, field, ref errors, ref failed); break;
                case SignalField.Detail: detail = Text(ref reader, schema, field, ref errors, ref failed); break;
                case SignalField.AccountNumber: account = Text(ref reader, schema, field, ref errors, ref failed); break;
                case SignalField.Address: address = Text(ref reader, schema, field, ref errors, ref failed); break;
                case SignalField.CallerPhone: phone = Text(ref reader, schema, field, ref errors, ref failed); break;
                case SignalField.Notes: notes = Text(ref reader, schema, field, ref errors, ref failed); break;
                case SignalField.Type:
                    type = Type(ref reader, schema, ref errors, ref failed);
                    break;
                case SignalField.Time:
                case SignalField.ReceivedAt:
                    var t = Time(ref reader, schema, field, ref errors, ref failed);
                    if (field == SignalField.Time) occurred = t; else received = t;
                    break;
                case SignalField.Lat:
                    lat = Degrees(ref reader, schema, field, 90, ref errors, ref failed);
                    break;
                case SignalField.Lon:
                    lon = Degrees(ref reader, schema, field, 180, ref errors, ref failed);
                    break;
            }
        }

        Required(schema, SignalField.Id, id, ref errors, failed);
        Required(schema, SignalField.Type, type, ref errors, failed);
        if (occurred is null && (failed & SignalField.Time) == 0)
        {
            Add(ref errors, $"{schema.FieldName(SignalField.Time)} is missing");
        }
        if (schema.IsCall)
        {
            account = string.IsNullOrWhiteSpace(account) ? null : account;
            if ((lat is null) != (lon is null) && (failed & (SignalField.Lat | SignalField.Lon)) == 0)
            {
                Add(ref errors, "lat and lon go together: give both or neither");
            }
            else if (account is null && lat is null && (failed & (SignalField.AccountNumber | SignalField.Lat | SignalField.Lon)) == 0)
            {
                Add(ref errors, "a ticket needs accountNumber or both lat and lon");
            }
        }
        else
        {
            Required(schema, SignalField.Asset, asset, ref errors, failed);
        }

        if (errors is not null)
        {
            batch.Rejected.Add(new RejectedRecord(index, id is null ? null : Shorten(id), errors));
            return;
        }
        if (!seen.Add(id!))
        {
            batch.RepeatedInBatch++;
            return;
        }
        batch.Valid.Add(new IncomingSignal
        {
            Id = id!,
            Type = type!,
            OccurredAt = occurred!.Value,
            ReceivedAt = received ?? arrival,
            AssetId = asset,
            Detail = Blank(detail),
            AccountNumber = account,
            Lat = lat,
            Lon = lon,
            Address = Blank(address),
            CallerPhone = Blank(phone),
            Notes = Blank(notes),
        });
    }

    private static void Required(SignalSchema schema, SignalField field, string? value, ref List<string>? errors, SignalField failed)
    {
        if ((failed & field) != 0)
        {
            return;
        }
        if (value is null)
        {
            Add(ref errors, $"{schema.FieldName(field)} is missing");
        }
        else if (string.IsNullOrWhiteSpace(value))
        {
            Add(ref errors, $"{schema.FieldName(field)} is empty");
        }
    }

    private static string? Text(ref Utf8JsonReader reader, SignalSchema schema, SignalField field, ref List<string>? errors, ref SignalField failed)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            Fail(ref errors, ref failed, field, $"{schema.FieldName(field)} must be a string, not {Describe(reader.TokenType)}");
            reader.Skip();
            return null;
        }
        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            Fail(ref errors, ref failed, field, $"{schema.FieldName(field)} is not valid Unicode text");
            return null;
        }
        int max = schema.MaxLength(field);
        if (value.Length > max)
        {
            Fail(ref errors, ref failed, field, $"{schema.FieldName(field)} is longer than {max} characters");
        }
        else if (reader.ValueIsEscaped && value.Contains('\0', StringComparison.Ordinal))
        {
            // PostgreSQL text cannot hold NUL.
            Fail(ref errors, ref failed, field, $"{schema.FieldName(field)} contains a NUL character");
        }
        return value;
    }

    private static string? Type(ref Utf8JsonReader reader, SignalSchema schema, ref List<string>? errors, ref SignalField failed)
    {
        string name = schema.FieldName(SignalField.Type);
        if (reader.TokenType != JsonTokenType.String)
        {
            Fail(ref errors, ref failed, SignalField.Type, $"{name} must be a string, not {Describe(reader.TokenType)}");
            reader.Skip();
            return null;
        }
        if (schema.MatchType(ref reader) is { } known)
        {
            return known;
        }
        Fail(ref errors, ref failed, SignalField.Type, $"{name} '{Shorten(SafeString(ref reader))}' is not one of {schema.TypesText}");
        return null;
    }

    private static DateTimeOffset? Time(ref Utf8JsonReader reader, SignalSchema schema, SignalField field, ref List<string>? errors, ref SignalField failed)
    {
        string name = schema.FieldName(field);
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value) && HasOffset(ref reader))
        {
            return value;
        }
        string shown = reader.TokenType == JsonTokenType.String ? $"'{Shorten(SafeString(ref reader))}'" : Describe(reader.TokenType);
        Fail(ref errors, ref failed, field, $"{name} {shown} is not an ISO 8601 time with an offset (e.g. 2026-11-27T13:00:00Z)");
        reader.Skip();
        return null;
    }

    /// <summary>A time without an offset is ambiguous (whose local time?): the contract requires one.</summary>
    private static bool HasOffset(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            string s = reader.GetString()!;
            int t = s.IndexOf('T', StringComparison.Ordinal);
            return t >= 0 && s.AsSpan(t).IndexOfAny("Zz+-") >= 0;
        }
        var span = reader.ValueSpan;
        int tAt = span.IndexOf((byte)'T');
        return tAt >= 0 && span[tAt..].IndexOfAny("Zz+-"u8) >= 0;
    }

    private static double? Degrees(ref Utf8JsonReader reader, SignalSchema schema, SignalField field, double limit, ref List<string>? errors, ref SignalField failed)
    {
        string name = schema.FieldName(field);
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double value))
        {
            Fail(ref errors, ref failed, field, $"{name} must be a number of degrees, not {Describe(reader.TokenType)}");
            reader.Skip();
            return null;
        }
        if (!double.IsFinite(value) || value < -limit || value > limit)
        {
            Fail(ref errors, ref failed, field, $"{name} {value.ToString(CultureInfo.InvariantCulture)} is out of range (-{limit} to {limit})");
            return null;
        }
        return value;
    }

    private static string SafeString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private static void Fail(ref List<string>? errors, ref SignalField failed, SignalField field, string error)
    {
        failed |= field;
        Add(ref errors, error);
    }

    private static void Add(ref List<string>? errors, string error) => (errors ??= []).Add(error);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Shorten(string value) => value.Length <= 200 ? value : value[..200] + "…";

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    /// <summary>A 400 for a token in the wrong place, with its line and position (1-based, in bytes).</summary>
    private static BatchFormatException NotThere(ReadOnlySpan<byte> json, long offset, string path, string detail)
    {
        var before = json[..(int)offset];
        long line = before.Count((byte)'\n') + 1;
        long position = offset - before.LastIndexOf((byte)'\n');
        return new BatchFormatException(400, "Not a JSON array of objects", $"{detail} (line {line}, position {position})", path, line, position);
    }

    /// <summary>The property name that starts at <paramref name="offset"/>, for error paths.</summary>
    private static string? PropertyName(ReadOnlySpan<byte> json, long offset)
    {
        try
        {
            var r = new Utf8JsonReader(json[(int)offset..], isFinalBlock: false, default);
            return r.Read() && r.TokenType == JsonTokenType.String ? Shorten(r.GetString()!) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
