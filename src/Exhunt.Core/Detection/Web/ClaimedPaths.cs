namespace Exhunt.Detection.Web;

/// <summary>Finds file paths a log line names as written (vdir reset target, export target ...).</summary>
internal static class ClaimedPaths
{
    /// <summary>
    /// The value after <paramref name="name"/> (<c>FilePathName=</c>, <c>"FilePathName":"..."</c>, <c>-FilePath '...'</c>
    /// ...), unquoted and URL-decoded, or null. The name must start a word so that <c>Path</c> does not match <c>FilePath</c>.
    /// </summary>
    public static string? ValueAfter(ReadOnlySpan<char> text, string name)
    {
        var from = 0;
        while (from < text.Length)
        {
            var i = text[from..].IndexOf(name, StringComparison.OrdinalIgnoreCase);
            if (i < 0) return null;
            i += from;
            from = i + name.Length;
            if (i > 0 && char.IsLetterOrDigit(text[i - 1])) continue;
            var rest = text[from..];
            if (rest.IsEmpty || char.IsLetterOrDigit(rest[0])) continue;
            // A JSON key's closing quote may sit between the name and its ':'.
            var k = rest.Length > 1 && rest[0] is '"' or '\'' && rest[1] is ':' or '=' ? 1 : 0;
            var separatorStart = k;
            while (k < rest.Length && rest[k] is ' ' or '=' or ':') k++;
            if (k == separatorStart || k >= rest.Length) continue;
            ReadOnlySpan<char> value;
            if (rest[k] is '\'' or '"')
            {
                // Quoted: up to the same quote, so paths with spaces ("C:\Program Files\...") stay whole.
                var quote = rest[k];
                var close = rest[(k + 1)..].IndexOf(quote);
                value = close < 0 ? rest[(k + 1)..] : rest.Slice(k + 1, close);
            }
            else
            {
                var end = k;
                while (end < rest.Length && rest[end] is not ('"' or '\'' or '&' or ';' or ',' or ' ' or '\t')) end++;
                value = rest[k..end];
            }
            if (value.Length < 3) continue;
            var s = value.ToString();
            if (s.Contains('%'))
            {
                try { s = Uri.UnescapeDataString(s); } catch (UriFormatException) { }
            }
            return s;
        }
        return null;
    }

    /// <summary>A local (<c>C:\...</c>) or UNC (<c>\\host\share</c>) path, not a URL path.</summary>
    public static bool IsWindowsPath(string path) =>
        path.Length > 3 && (path[1] == ':' && char.IsAsciiLetter(path[0]) || path.StartsWith(@"\\", StringComparison.Ordinal));

    /// <summary>Whether the last path segment has an extension (a file, not a folder such as the vdir's own Path).</summary>
    public static bool LooksLikeFile(string path)
    {
        var name = path.AsSpan(path.LastIndexOfAny(['\\', '/']) + 1);
        var dot = name.LastIndexOf('.');
        return dot > 0 && dot < name.Length - 1;
    }
}
