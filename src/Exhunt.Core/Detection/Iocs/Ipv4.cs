namespace Exhunt.Detection.Iocs;

/// <summary>Allocation-free IPv4 parsing for log columns: plain, with a port, bracketed or IPv4-mapped IPv6.</summary>
public static class Ipv4
{
    /// <summary>Parses dotted-quad text ("1.2.3.4") into a big-endian number; nothing else is accepted.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        int part = 0, digits = 0, dots = 0;
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
            {
                if (++digits > 3) return false;
                part = part * 10 + (c - '0');
                if (part > 255) return false;
            }
            else if (c == '.')
            {
                if (digits == 0 || ++dots > 3) return false;
                value = (value << 8) | (uint)part;
                part = 0;
                digits = 0;
            }
            else return false;
        }
        if (dots != 3 || digits == 0) return false;
        value = (value << 8) | (uint)part;
        return true;
    }

    /// <summary>
    /// The IPv4 address in one token of a client-address column: "1.2.3.4", "1.2.3.4:5678", "[::ffff:1.2.3.4]:443",
    /// "::ffff:1.2.3.4". False for IPv6 and anything else.
    /// </summary>
    public static bool TryParseToken(ReadOnlySpan<char> token, out uint value)
    {
        token = token.Trim().Trim('"');
        if (token.StartsWith('['))
        {
            var close = token.IndexOf(']');
            token = close > 0 ? token[1..close] : token[1..];
        }
        var colons = token.Count(':');
        if (colons == 1) token = token[..token.IndexOf(':')];           // a.b.c.d:port
        else if (colons > 1) token = token[(token.LastIndexOf(':') + 1)..]; // ::ffff:a.b.c.d (else not IPv4)
        return TryParse(token, out value);
    }

    public static string Format(uint value) =>
        $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}";
}
