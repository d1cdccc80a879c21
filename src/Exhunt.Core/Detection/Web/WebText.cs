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

    // ASCII and non-ASCII never compare equal: ToUpperInvariant('ſ') is 'S', but ordinal ignore-case (what every other
    // test here and the line prefilter use) keeps them apart.
    private static bool CharEq(char a, char b) => a == b || (a < 0x80) == (b < 0x80) && char.ToUpperInvariant(a) == char.ToUpperInvariant(b);

    /// <summary>
    /// URL-decodes <paramref name="source"/> once (%XX; '+' as space when asked) into <paramref name="destination"/>
    /// (at least as long as the source); returns the decoded length. Bytes above 0x7F stay as single chars: the rules
    /// only look for ASCII words.
    /// </summary>
    public static int Decode(ReadOnlySpan<char> source, Span<char> destination, bool plusIsSpace = false)
    {
        var n = 0;
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c == '%' && i + 2 < source.Length && IsHex(source[i + 1]) && IsHex(source[i + 2]))
            {
                c = (char)(Hex(source[i + 1]) * 16 + Hex(source[i + 2]));
                i += 2;
            }
            else if (plusIsSpace && c == '+') c = ' ';
            destination[n++] = c;
        }
        return n;
    }

    /// <summary>Whether decoding would change the text (a cheap test before <see cref="Decode"/>).</summary>
    public static bool NeedsDecoding(ReadOnlySpan<char> text, bool plusIsSpace = false) =>
        plusIsSpace ? text.IndexOfAny('%', '+') >= 0 : text.IndexOf('%') >= 0;

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
