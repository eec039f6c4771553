using System.Text;

namespace OmsDashboard.Domain.Topology;

/// <summary>
/// A small RFC 4180 reader: comma separated, double-quoted fields with "" escapes, quoted fields
/// may span lines. Each record carries the physical line it starts on, so errors can point at it.
/// Written here rather than taken from a package because imports must report exact lines and
/// must stream a million-row file without allocating per character.
/// </summary>
public sealed class CsvReader
{
    private readonly TextReader _reader;
    private readonly StringBuilder _field = new();
    private int _line = 1;
    private int _peeked = -2;

    public CsvReader(TextReader reader) => _reader = reader;

    /// <summary>Reads the next record into <paramref name="fields"/>; false at end of input.</summary>
    /// <param name="fields">Cleared and filled with the record's fields.</param>
    /// <param name="line">The 1-based line the record starts on.</param>
    /// <param name="error">Set when the record is malformed (for example an unterminated quote).</param>
    public bool TryRead(List<string> fields, out int line, out string? error)
    {
        fields.Clear();
        error = null;
        line = _line;
        int c = Next();
        if (c == -1)
        {
            return false;
        }

        _field.Clear();
        bool quoted = false;
        bool afterQuote = false;
        while (true)
        {
            if (quoted)
            {
                if (c == -1)
                {
                    error = "unterminated quoted field";
                    fields.Add(_field.ToString());
                    return true;
                }
                if (c == '"')
                {
                    if (Peek() == '"')
                    {
                        Next();
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    // A line break inside quotes is a physical line too: LF, CRLF (counted at its
                    // LF) or a lone CR, which also ends a record outside quotes.
                    if (c == '\n' || (c == '\r' && Peek() != '\n'))
                    {
                        _line++;
                    }
                    _field.Append((char)c);
                }
                c = Next();
                continue;
            }

            switch (c)
            {
                case -1:
                    fields.Add(_field.ToString());
                    return true;
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    afterQuote = false;
                    break;
                case '\r':
                    if (Peek() == '\n')
                    {
                        Next();
                    }
                    _line++;
                    fields.Add(_field.ToString());
                    return true;
                case '\n':
                    _line++;
                    fields.Add(_field.ToString());
                    return true;
                case '"' when _field.Length == 0 && !afterQuote:
                    quoted = true;
                    break;
                default:
                    if (afterQuote)
                    {
                        error ??= "text after a closing quote";
                    }
                    _field.Append((char)c);
                    break;
            }
            c = Next();
        }
    }

    private int Next()
    {
        if (_peeked != -2)
        {
            int p = _peeked;
            _peeked = -2;
            return p;
        }
        return _reader.Read();
    }

    private int Peek()
    {
        if (_peeked == -2)
        {
            _peeked = _reader.Read();
        }
        return _peeked;
    }
}
