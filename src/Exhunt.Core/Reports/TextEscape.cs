using System.Text;

namespace Exhunt.Reports;

/// <summary>Makes attacker-chosen text safe for a terminal or CSV cell: no control, escape or bidi characters.</summary>
public static class TextEscape
{
    public static string ForTerminal(string? text, int max = 160)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(Math.Min(text.Length, max + 8));
        foreach (var c in text)
        {
            if (sb.Length >= max) { sb.Append('…'); break; }
            if (c < 0x20 || c is >= '\x7f' and <= '\x9f') sb.Append($"\\x{(int)c:x2}");
            else if (c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u200e' or '\u200f' or '\u061c')
                sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
