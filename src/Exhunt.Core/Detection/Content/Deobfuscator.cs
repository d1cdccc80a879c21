using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Exhunt.Detection.Content;

/// <summary>What undoing the usual tricks produced: the clearer code, decoded blobs, and what was undone.</summary>
public sealed record Deobfuscated(string Code, IReadOnlyList<string> Tricks, int LongBlobs, bool EmbeddedAssembly, double Entropy);

/// <summary>
/// Undoes the cheap obfuscations web shells use so the sink detectors see the real calls: \u / \x escapes, character
/// arithmetic (Chr(101), (char)101, String.fromCharCode), literal concatenation ("Ev"+"al", "Ex" &amp; "ecute"),
/// StrReverse of literals, and base64 literals that decode to text (appended as more code) or to a PE image.
/// </summary>
public static partial class Deobfuscator
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [GeneratedRegex(@"\\u([0-9a-fA-F]{4})", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UnicodeEscape();

    [GeneratedRegex(@"\\x([0-9a-fA-F]{2})", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HexEscape();

    [GeneratedRegex(@"\b(?:Chr[WB]?|ChrW|Convert\.ToChar)\s*\(\s*([0-9][0-9\s+\-*]{0,40})\)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ChrCall();

    [GeneratedRegex(@"\(\s*char\s*\)\s*\(?\s*([0-9][0-9\s+\-*]{0,40})\)?", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CharCast();

    [GeneratedRegex(@"fromCharCode\s*\(\s*([0-9][0-9\s,+\-*]{0,2000})\)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FromCharCode();

    [GeneratedRegex(@"""((?:[^""\\\r\n]|\\.){0,4000})""\s*[+&]\s*""((?:[^""\\\r\n]|\\.){0,4000})""", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ConcatDouble();

    [GeneratedRegex(@"'((?:[^'\\\r\n]|\\.){0,4000})'\s*\+\s*'((?:[^'\\\r\n]|\\.){0,4000})'", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ConcatSingle();

    [GeneratedRegex(@"StrReverse\s*\(\s*""([^""\r\n]{1,4000})""\s*\)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex StrReverse();

    [GeneratedRegex(@"[""']([A-Za-z0-9+/]{40,}={0,2})[""']", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Base64Literal();

    public static Deobfuscated Run(string code)
    {
        var tricks = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string Apply(string text, Regex re, MatchEvaluator eval, string name)
        {
            if (clock.Elapsed > Budget) return text;
            var next = re.Replace(text, eval);
            if (!ReferenceEquals(next, text) && next != text && !tricks.Contains(name)) tricks.Add(name);
            return next;
        }

        var s = code;
        s = Apply(s, UnicodeEscape(), m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber)).ToString(), @"\u escapes");
        s = Apply(s, HexEscape(), m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber)).ToString(), @"\x escapes");
        s = Apply(s, ChrCall(), m => Literal(Arith(m.Groups[1].Value)), "character arithmetic");
        s = Apply(s, CharCast(), m => Literal(Arith(m.Groups[1].Value)), "character arithmetic");
        s = Apply(s, FromCharCode(), m => "\"" + string.Concat(m.Groups[1].Value.Split(',').Select(p => Char(Arith(p)))) + "\"", "character arithmetic");
        s = Apply(s, StrReverse(), m => "\"" + new string(m.Groups[1].Value.Reverse().ToArray()) + "\"", "reversed strings");
        for (var round = 0; round < 32 && clock.Elapsed < Budget; round++)
        {
            var before = s;
            s = Apply(s, ConcatDouble(), m => "\"" + m.Groups[1].Value + m.Groups[2].Value + "\"", "split strings");
            s = Apply(s, ConcatSingle(), m => "'" + m.Groups[1].Value + m.Groups[2].Value + "'", "split strings");
            if (s == before) break;
        }

        // A sensitive word that exists only once the pieces are put back together was split on purpose.
        if (!ReferenceEquals(s, code))
            foreach (var word in SplitWords)
                if (s.Contains(word, StringComparison.OrdinalIgnoreCase) && !code.Contains(word, StringComparison.OrdinalIgnoreCase))
                {
                    tricks.Add("split keyword " + word);
                    if (tricks.Count > 12) break;
                }

        var blobs = 0;
        var assembly = false;
        var decoded = new StringBuilder();
        foreach (Match m in Base64Literal().Matches(s))
        {
            if (clock.Elapsed > Budget || decoded.Length > 1_000_000) break;
            var b64 = m.Groups[1].Value;
            if (b64.Length >= 200) blobs++;
            var bytes = TryBase64(b64);
            if (bytes is null) continue;
            if (bytes.Length > 2 && bytes[0] == 'M' && bytes[1] == 'Z') { assembly = true; continue; }
            var text = PrintableText(bytes);
            if (text is not null) { decoded.Append("\n;\n").Append(text); if (!tricks.Contains("base64 text")) tricks.Add("base64 text"); }
        }
        if (decoded.Length > 0) s += decoded.ToString();
        return new Deobfuscated(s, tricks, blobs, assembly, Entropy(code));
    }

    private static readonly string[] SplitWords = ["eval", "execute", "wscript.shell", "shell.application", "cmd.exe", "cmd /c", "powershell",
        "Process", "Assembly", "Load", "CreateObject", "Scripting.FileSystemObject", "ADODB.Stream", "SaveToFile", "Request", "JScriptEvaluate", "unsafe"];

    private static string Literal(int c) => "\"" + Char(c) + "\"";

    private static string Char(int c) => c is > 0 and < 0x10000 ? ((char)c).ToString() : "";

    /// <summary>Evaluates "100+1", "202/2"-free forms: + - * on small integers, left to right with * first.</summary>
    private static int Arith(string expr)
    {
        try
        {
            var total = 0L;
            foreach (var term in Regex.Split(expr.Replace(" ", ""), @"(?=[+\-])"))
            {
                if (term.Length == 0) continue;
                var sign = term[0] == '-' ? -1 : 1;
                var factors = term.TrimStart('+', '-').Split('*');
                long product = 1;
                foreach (var f in factors) product *= long.Parse(f, CultureInfo.InvariantCulture);
                total += sign * product;
                if (Math.Abs(total) > 0x10FFFF) return 0;
            }
            return (int)total;
        }
        catch (Exception e) when (e is FormatException or OverflowException) { return 0; }
    }

    private static byte[]? TryBase64(string s)
    {
        if (s.Length % 4 != 0) s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        var buf = new byte[s.Length * 3 / 4];
        return Convert.TryFromBase64String(s, buf, out var n) ? buf[..n] : null;
    }

    private static string? PrintableText(byte[] bytes)
    {
        if (bytes.Length < 16) return null;
        var text = bytes.Length > 4 && bytes[1] == 0 ? Encoding.Unicode.GetString(bytes) : Encoding.UTF8.GetString(bytes);
        var printable = text.Count(c => c is >= ' ' and < (char)0x7F or '\r' or '\n' or '\t');
        return printable >= text.Length * 0.9 ? text : null;
    }

    /// <summary>Shannon entropy in bits per char of the code (packed or encrypted payloads score above ~5.2).</summary>
    public static double Entropy(string s)
    {
        if (s.Length == 0) return 0;
        var counts = new Dictionary<char, int>();
        foreach (var c in s) counts[c] = counts.GetValueOrDefault(c) + 1;
        double h = 0;
        foreach (var n in counts.Values) { var p = (double)n / s.Length; h -= p * Math.Log2(p); }
        return h;
    }
}
