namespace Exhunt.Detection.Web;

/// <summary>Allocation-free text tests the web-log rules share (case-insensitive unless said otherwise).</summary>
internal static class WebText
{
    public static bool Has(ReadOnlySpan<char> text, string needle) => text.Contains(needle, StringComparison.OrdinalIgnoreCase);

    public static bool Starts(ReadOnlySpan<char> text, string prefix) => text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    public static bool Ends(ReadOnlySpan<char> text, string suffix) => text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);

    public static bool Is(ReadOnlySpan<char> text, string value) => text.Equals(value, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// PowerShell <c>-like</c> as Test-ProxyLogon uses it: the whole text must match, <c>*</c> is any run, <c>?</c> one
    /// character, case-insensitive. Character classes (<c>[a-z]</c>) are not needed by any pattern here and are literal.
    /// Linear in practice: one backtrack point (the last star), as in the usual greedy wildcard match.
    /// </summary>
    public static bool Like(ReadOnlySpan<char> text, ReadOnlySpan<char> pattern)
    {
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || CharEq(pattern[p], text[t]))) { t++; p++; }
            else if (p < pattern.Length && pattern[p] == '*') { starP = p++; starT = t; }
            else if (starP >= 0) { p = starP + 1; t = ++starT; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    private static bool CharEq(char a, char b) => a == b || char.ToUpperInvariant(a) == char.ToUpperInvariant(b);

    /// <summary>
    /// Whether <paramref name="text"/>, URL-decoded once (%XX), contains <paramref name="needle"/> (ASCII, any case).
    /// With <paramref name="plusIsSpace"/>, '+' reads as a space (form encoding). IIS URL Rewrite's <c>{UrlDecode:...}</c> works this way; attackers encode letters (<c>%50owershell</c>) to dodge
    /// plain matching. Text without '%' takes the plain path.
    /// </summary>
    public static bool HasDecoded(ReadOnlySpan<char> text, string needle, bool plusIsSpace = false)
    {
        if (text.IndexOf('%') < 0 && (!plusIsSpace || text.IndexOf('+') < 0)) return Has(text, needle);
        for (var start = 0; start < text.Length; start++)
        {
            int i = start, n = 0;
            while (n < needle.Length && i < text.Length)
            {
                var c = text[i];
                if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
                {
                    c = (char)(Hex(text[i + 1]) * 16 + Hex(text[i + 2]));
                    i += 3;
                }
                else i++;
                if (plusIsSpace && c == '+') c = ' ';
                if (!CharEq(c, needle[n])) break;
                n++;
            }
            if (n == needle.Length) return true;
        }
        return false;
    }

    private static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';
    private static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>
    /// User-agent prefix match that survives both log encodings: IIS writes spaces as '+' (and the reader turns every
    /// '+' back into a space, real pluses included), HttpProxy writes commas as spaces. So ' ', '+' and ',' compare equal.
    /// </summary>
    public static bool UserAgentStarts(ReadOnlySpan<char> userAgent, string pattern)
    {
        if (userAgent.Length < pattern.Length) return false;
        for (var i = 0; i < pattern.Length; i++)
        {
            char a = userAgent[i], b = pattern[i];
            if (IsUaSpace(a) && IsUaSpace(b)) continue;
            if (!CharEq(a, b)) return false;
        }
        return true;
    }

    private static bool IsUaSpace(char c) => c is ' ' or '+' or ',';

    /// <summary>Whether the text is the HTTP method (IIS cs-method / HttpProxy Method).</summary>
    public static bool IsPost(ReadOnlySpan<char> method) => Is(method, "POST");
}
