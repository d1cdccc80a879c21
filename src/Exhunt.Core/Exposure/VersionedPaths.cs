namespace Exhunt.Exposure;

/// <summary>
/// The build in an OWA/ECP path (facts: exchange-fingerprint.md §1 rows 6-8, §2): <c>owa/auth/&lt;15.x.y&gt;/</c> is the CU
/// (an update keeps the folder), <c>owa/prem/&lt;15.x.y.z&gt;/</c> and <c>ecp/&lt;15.x.y.z&gt;/</c> are a lower bound on the
/// update level (an update that changes no OWA/ECP file lays down no new folder).
/// </summary>
public static class VersionedPaths
{
    public readonly record struct Hit(ExchangeBuild Build, BuildPrecision Precision, string Kind, int EndOfVersion);

    /// <summary>Finds the first versioned segment in a '/'-separated path (URL or evidence path), case-insensitive.</summary>
    public static Hit? Find(ReadOnlySpan<char> path, bool urlRooted)
    {
        foreach (var (prefix, kind) in Prefixes)
        {
            var at = path.IndexOf(prefix, StringComparison.OrdinalIgnoreCase);
            if (at < 0 || (urlRooted && at != 0) || (!urlRooted && at > 0 && path[at - 1] != '/')) continue;
            var start = at + prefix.Length;
            var rest = path[start..];
            var slash = rest.IndexOf('/');
            if (slash <= 0) continue;
            if (!ExchangeBuild.TryParse(rest[..slash], out var b) || !b.IsExchange15) continue;
            var precision = kind == "owa/auth" && b.CuOnly ? BuildPrecision.Cu : BuildPrecision.LowerBound;
            if (kind != "owa/auth" && b.CuOnly) continue;
            return new Hit(b, precision, kind, start + slash);
        }
        return null;
    }

    private static readonly (string Prefix, string Kind)[] Prefixes =
        [("/owa/auth/", "owa/auth"), ("/owa/prem/", "owa/prem"), ("/ecp/", "ecp"), ("owa/auth/", "owa/auth"), ("owa/prem/", "owa/prem")];
}
