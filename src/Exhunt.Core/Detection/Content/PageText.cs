using System.Text;

namespace Exhunt.Detection.Content;

/// <summary>Bytes to text for judging: BOM-declared UTF-16/UTF-8, else UTF-8 when valid, else Latin-1 (binary
/// containers such as a PST keep markup as single bytes, and Latin-1 maps every byte to one char).</summary>
public static class PageText
{
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return Encoding.UTF8.GetString(bytes[3..]);
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) return Encoding.Unicode.GetString(bytes[2..]);
        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) return Encoding.BigEndianUnicode.GetString(bytes[2..]);
        if (LooksUtf16Le(bytes)) return Encoding.Unicode.GetString(bytes);
        return System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
    }

    /// <summary>Markup without a BOM saved as UTF-16LE: every odd byte of the first ones is zero.</summary>
    private static bool LooksUtf16Le(ReadOnlySpan<byte> b)
    {
        if (b.Length < 16) return false;
        var n = Math.Min(b.Length & ~1, 256);
        var zeros = 0;
        for (var i = 1; i < n; i += 2) if (b[i] == 0 && b[i - 1] != 0) zeros++;
        return zeros * 2 >= n * 9 / 10;
    }

    /// <summary>Whether the first bytes look like a server page whatever the file is called.</summary>
    public static bool LooksLikePage(ReadOnlySpan<byte> head)
    {
        var text = head.Length >= 2 && head[1] == 0 ? Encoding.Unicode.GetString(head) : Encoding.Latin1.GetString(head);
        return text.Contains("<%", StringComparison.Ordinal) || text.Contains("runat", StringComparison.OrdinalIgnoreCase)
            || text.Contains("<script", StringComparison.OrdinalIgnoreCase);
    }
}
