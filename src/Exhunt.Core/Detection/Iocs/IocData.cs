using Exhunt.Data;
using Exhunt.Evidence;

namespace Exhunt.Detection.Iocs;

public sealed record IpIoc(string Ip, string Source, string Note);

public sealed record HashIoc(string Sha256, bool IsTool, string Name, string Source);

public sealed record PathIoc(string WindowsSuffix, string[] Segments, bool IsTool, string Source);

/// <summary>The bundled indicator lists (Data/iocs/*.tsv), parsed once.</summary>
public static class IocData
{
    private static readonly Lazy<Dictionary<uint, IpIoc>> IpsLazy = new(LoadIps);
    private static readonly Lazy<Dictionary<string, HashIoc>> HashesLazy = new(LoadHashes);
    private static readonly Lazy<Dictionary<string, List<PathIoc>>> PathsLazy = new(LoadPaths);
    private static readonly Lazy<Dictionary<string, string>> NamesLazy = new(LoadNames);

    public static IReadOnlyDictionary<uint, IpIoc> Ips => IpsLazy.Value;
    /// <summary>By lower-case hex SHA-256.</summary>
    public static IReadOnlyDictionary<string, HashIoc> Hashes => HashesLazy.Value;
    /// <summary>By lower-case file name.</summary>
    public static IReadOnlyDictionary<string, List<PathIoc>> PathsByName => PathsLazy.Value;
    /// <summary>Web-shell file names (lower case) → source.</summary>
    public static IReadOnlyDictionary<string, string> WebShellNames => NamesLazy.Value;

    private static IEnumerable<string[]> Rows(string file, int minColumns) =>
        DataFiles.ReadLines(file).Select(l => l.Split('\t')).Where(c => c.Length >= minColumns)
            .Select(c => c.Select(x => x.Trim()).ToArray());

    private static Dictionary<uint, IpIoc> LoadIps()
    {
        var map = new Dictionary<uint, IpIoc>();
        foreach (var c in Rows("iocs/ips.tsv", 2))
            if (Ipv4.TryParse(c[0], out var ip)) map.TryAdd(ip, new IpIoc(c[0], c[1], c.Length > 2 ? c[2] : ""));
            else throw new InvalidDataException($"iocs/ips.tsv: '{c[0]}' is not an IPv4 address");
        return map;
    }

    private static Dictionary<string, HashIoc> LoadHashes()
    {
        var map = new Dictionary<string, HashIoc>(StringComparer.Ordinal);
        foreach (var c in Rows("iocs/sha256.tsv", 4))
        {
            var h = c[0].ToLowerInvariant();
            if (h.Length != 64 || !h.All(Uri.IsHexDigit)) throw new InvalidDataException($"iocs/sha256.tsv: '{c[0]}' is not a SHA-256");
            map.TryAdd(h, new HashIoc(h, c[1] == "tool", c[2], c[3]));
        }
        return map;
    }

    private static Dictionary<string, List<PathIoc>> LoadPaths()
    {
        var map = new Dictionary<string, List<PathIoc>>(StringComparer.Ordinal);
        foreach (var c in Rows("iocs/paths.tsv", 3))
        {
            var segs = EvidencePath.Segments(EvidencePath.NormaliseWindows(c[0]));
            if (segs.Length < 2) throw new InvalidDataException($"iocs/paths.tsv: '{c[0]}' needs a folder and a name");
            if (!map.TryGetValue(segs[^1], out var list)) map[segs[^1]] = list = new();
            list.Add(new PathIoc(c[0], segs, c[1] == "tool", c[2]));
        }
        return map;
    }

    private static Dictionary<string, string> LoadNames()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in Rows("iocs/webshell-names.tsv", 2)) map.TryAdd(c[0].ToLowerInvariant(), c[1]);
        return map;
    }

    /// <summary>
    /// The path indicator a collected file matches: the whole indicator suffix, or — for a flat collection that kept
    /// only the last folders (<c>owa/auth/bob.aspx</c>) — the whole evidence path, at least folder and name.
    /// </summary>
    public static PathIoc? MatchPath(string[] evidenceSegments)
    {
        if (evidenceSegments.Length == 0 || !PathsByName.TryGetValue(evidenceSegments[^1], out var candidates)) return null;
        PathIoc? best = null;
        var bestShared = 0;
        foreach (var ioc in candidates)
        {
            var shared = SharedTail(evidenceSegments, ioc.Segments);
            var whole = shared == ioc.Segments.Length || (shared == evidenceSegments.Length && shared >= 2);
            if (whole && shared > bestShared) { best = ioc; bestShared = shared; }
        }
        return best;
    }

    internal static int SharedTail(string[] a, string[] b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[^(n + 1)] == b[^(n + 1)]) n++;
        return n;
    }
}
