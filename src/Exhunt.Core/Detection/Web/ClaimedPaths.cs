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
            var k = 0;
            while (k < rest.Length && rest[k] is ' ' or '=' or ':' or '"' or '\'') k++;
            if (k == 0 || k >= rest.Length) continue;
            var end = k;
            while (end < rest.Length && rest[end] is not ('"' or '\'' or '&' or ';' or ',' or ' ' or '\t')) end++;
            var value = rest[k..end];
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
