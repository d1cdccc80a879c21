namespace Exhunt.Evidence;

/// <summary>
/// Normalises collection paths so that KAPE (<c>C/Program Files/...</c>), Velociraptor
/// (<c>uploads/auto/C%3A/Program%20Files/...</c>), flat copies and Windows paths compare alike:
/// lower case, '/' separators, %xx decoded, drive prefixes and collection wrappers left in place.
/// </summary>
public static class EvidencePath
{
    public static string Normalise(string path)
    {
        var p = path.Replace('\\', '/');
        if (p.Contains('%'))
        {
            try { p = Uri.UnescapeDataString(p); } catch (UriFormatException) { }
        }
        return p.ToLowerInvariant();
    }

    /// <summary>Turns a Windows path or UNC admin share into normalised segments: <c>\\localhost\c$\x</c> → <c>c:/x</c>.</summary>
    public static string NormaliseWindows(string path)
    {
        var p = path.Trim().Trim('\'', '"').Replace('\\', '/');
        if (p.StartsWith("//", StringComparison.Ordinal))
        {
            // \\host\c$\rest → c:/rest
            var parts = p[2..].Split('/', 3);
            if (parts.Length == 3 && parts[1].Length == 2 && parts[1][1] == '$')
                p = parts[1][0] + ":/" + parts[2];
        }
        return p.ToLowerInvariant();
    }

    /// <summary>Segments of a normalised path, with empty ones and a trailing drive colon removed ("c:" → "c").</summary>
    public static string[] Segments(string normalised)
    {
        var segs = normalised.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segs.Length; i++)
            if (segs[i].Length == 2 && segs[i][1] == ':') segs[i] = segs[i][..1];
        return segs;
    }
}
