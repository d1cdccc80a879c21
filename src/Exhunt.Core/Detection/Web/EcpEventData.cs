namespace Exhunt.Detection.Web;

/// <summary>
/// Reads the EventData bag of ECP Server / Activity logs: <c>S:KEY=value;S:KEY=value;...</c>. An item whose value
/// holds ';' or quotes is wrapped whole in single quotes with inner quotes doubled:
/// <c>'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/&lt;script&gt;...''.Identity=''guid'''</c>.
/// Spans only; <see cref="RawValue"/> of a quoted item still has its quotes doubled (see <see cref="Unquote"/>).
/// </summary>
public ref struct EcpBagReader
{
    private ReadOnlySpan<char> _rest;

    public EcpBagReader(ReadOnlySpan<char> eventData) { _rest = eventData; Key = default; RawValue = default; Quoted = false; }

    /// <summary>The key without its type prefix ("CMD" for <c>S:CMD</c>).</summary>
    public ReadOnlySpan<char> Key { get; private set; }
    public ReadOnlySpan<char> RawValue { get; private set; }
    /// <summary>The item was single-quoted: <see cref="RawValue"/> has doubled quotes.</summary>
    public bool Quoted { get; private set; }

    public bool MoveNext()
    {
        while (!_rest.IsEmpty)
        {
            ReadOnlySpan<char> item;
            if (_rest[0] == '\'')
            {
                var end = ClosingQuote(_rest, 1);
                Quoted = true;
                if (end < 0) { item = _rest[1..]; _rest = default; }
                else
                {
                    item = _rest[1..end];
                    var next = _rest[(end + 1)..].IndexOf(';');
                    _rest = next < 0 ? default : _rest[(end + 2 + next)..];
                }
            }
            else
            {
                Quoted = false;
                var semi = _rest.IndexOf(';');
                item = semi < 0 ? _rest : _rest[..semi];
                _rest = semi < 0 ? default : _rest[(semi + 1)..];
            }
            var eq = item.IndexOf('=');
            if (eq <= 0) continue;
            var key = item[..eq];
            var colon = key.IndexOf(':');
            Key = colon >= 0 && colon <= 2 ? key[(colon + 1)..] : key;
            RawValue = item[(eq + 1)..];
            return true;
        }
        return false;
    }

    /// <summary>Index of the single quote closing a quoted run that starts at <paramref name="from"/>, or -1.</summary>
    internal static int ClosingQuote(ReadOnlySpan<char> text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] != '\'') continue;
            if (i + 1 < text.Length && text[i + 1] == '\'') { i++; continue; }
            return i;
        }
        return -1;
    }

    /// <summary>Copies <paramref name="raw"/> into <paramref name="destination"/> with doubled single quotes made single; returns the length.</summary>
    public static int Unquote(ReadOnlySpan<char> raw, Span<char> destination)
    {
        var n = 0;
        for (var i = 0; i < raw.Length && n < destination.Length; i++)
        {
            destination[n++] = raw[i];
            if (raw[i] == '\'' && i + 1 < raw.Length && raw[i + 1] == '\'') i++;
        }
        return n;
    }

    /// <summary>The value of the first item named <paramref name="key"/> (e.g. "CMD", "EX"), still escaped if quoted.</summary>
    public static bool TryFind(ReadOnlySpan<char> eventData, string key, out ReadOnlySpan<char> rawValue, out bool quoted)
    {
        var reader = new EcpBagReader(eventData);
        while (reader.MoveNext())
        {
            if (!reader.Key.Equals(key, StringComparison.OrdinalIgnoreCase)) continue;
            rawValue = reader.RawValue;
            quoted = reader.Quoted;
            return true;
        }
        rawValue = default;
        quoted = false;
        return false;
    }

    /// <summary>The unescaped <c>S:CMD</c> value (<c>Cmdlet.Param=value...</c>) as a string, or null. Allocates: call after a prefilter.</summary>
    public static string? Command(ReadOnlySpan<char> eventData)
    {
        if (!TryFind(eventData, "CMD", out var raw, out var quoted)) return null;
        if (!quoted) return raw.ToString();
        var buffer = new char[raw.Length];
        return new string(buffer, 0, Unquote(raw, buffer));
    }
}

/// <summary>
/// Reads an ECP-serialised cmdlet call, <c>Cmdlet.Param=value.Param='quoted value'.Switch=$true</c>: the cmdlet name
/// (up to the first '.') and each parameter. Quoted values have doubled quotes inside; an unquoted value runs to the
/// next <c>.Name=</c>.
/// </summary>
public ref struct CmdletParamReader
{
    private ReadOnlySpan<char> _rest;

    public CmdletParamReader(ReadOnlySpan<char> command)
    {
        var dot = command.IndexOf('.');
        Cmdlet = dot < 0 ? command : command[..dot];
        _rest = dot < 0 ? default : command[(dot + 1)..];
        Name = default;
        RawValue = default;
        Quoted = false;
    }

    public ReadOnlySpan<char> Cmdlet { get; }
    public ReadOnlySpan<char> Name { get; private set; }
    /// <summary>The value without its outer quotes (inner quotes still doubled when <see cref="Quoted"/>).</summary>
    public ReadOnlySpan<char> RawValue { get; private set; }
    public bool Quoted { get; private set; }

    public bool MoveNext()
    {
        while (!_rest.IsEmpty)
        {
            var eq = _rest.IndexOf('=');
            if (eq <= 0) { _rest = default; return false; }
            Name = _rest[..eq];
            var after = _rest[(eq + 1)..];
            if (!after.IsEmpty && after[0] == '\'')
            {
                var close = EcpBagReader.ClosingQuote(after, 1);
                Quoted = true;
                if (close < 0) { RawValue = after[1..]; _rest = default; return true; }
                RawValue = after[1..close];
                var tail = after[(close + 1)..];
                var dot = tail.IndexOf('.');
                _rest = dot < 0 ? default : tail[(dot + 1)..];
                return true;
            }
            Quoted = false;
            var end = NextParamStart(after);
            RawValue = end < 0 ? after : after[..end];
            _rest = end < 0 ? default : after[(end + 1)..];
            return true;
        }
        return false;
    }

    /// <summary>Index of the '.' that starts the next <c>Name=</c>, or -1.</summary>
    private static int NextParamStart(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '.') continue;
            var j = i + 1;
            while (j < text.Length && char.IsAsciiLetterOrDigit(text[j])) j++;
            if (j > i + 1 && j < text.Length && text[j] == '=' && char.IsAsciiLetter(text[i + 1])) return i;
        }
        return -1;
    }
}
