namespace Exhunt.Evidence;

/// <summary>
/// Finds collected files from what the logs name: a Windows path (<c>C:\inetpub\wwwroot\aspnet_client\x.aspx</c>,
/// <c>\\localhost\c$\...</c>) or a URL path (<c>/owa/auth/x.aspx</c>), whatever the collection layout (KAPE
/// <c>C/...</c>, Velociraptor <c>uploads/auto/C%3A/...</c>, an install on another drive, a flat copy of one folder).
/// Matching is by the run of trailing path segments the two share.
/// </summary>
public sealed class EvidenceIndex
{
    private readonly Dictionary<string, List<(EvidenceFile File, string[] Segments)>> _byName = new(StringComparer.Ordinal);

    public EvidenceIndex(IEnumerable<EvidenceFile> files)
    {
        foreach (var f in files)
        {
            var segs = EvidencePath.Segments(EvidencePath.Normalise(f.RelativePath));
            if (segs.Length == 0) continue;
            if (!_byName.TryGetValue(segs[^1], out var list)) _byName[segs[^1]] = list = new();
            list.Add((f, segs));
        }
    }

    public IEnumerable<EvidenceFile> All => _byName.Values.SelectMany(l => l.Select(x => x.File));

    /// <summary>
    /// The collected file for a Windows path, or null. Accepted when the two share at least three trailing segments
    /// (an install on D:\Exchange still shares FrontEnd\HttpProxy\owa\auth\x.aspx), or when one side is used up with
    /// at least folder and name shared (a flat copy of owa\auth; a claim of C:\x.aspx against C/x.aspx).
    /// </summary>
    public EvidenceFile? FindWindowsPath(string windowsPath)
    {
        var wanted = EvidencePath.Segments(EvidencePath.NormaliseWindows(windowsPath));
        return BestMatch(wanted, (shared, candidate) =>
            shared >= 3 || (shared >= 2 && (shared == wanted.Length || shared == candidate.Length)));
    }

    /// <summary>
    /// The collected file an IIS URL path is served from. Exchange serves /owa and /ecp from FrontEnd\HttpProxy\{owa,ecp}
    /// and the site root (/aspnet_client) from inetpub\wwwroot, so every URL segment must match the tail of the
    /// collected path (or a flat copy must be used up); on a tie the front-end / web-root copy wins over a back-end one.
    /// </summary>
    public EvidenceFile? FindUrlPath(string urlPath)
    {
        var path = urlPath.Split('?', 2)[0].Split('#', 2)[0];
        var wanted = EvidencePath.Segments(EvidencePath.Normalise(path));
        return BestMatch(wanted, (shared, candidate) =>
            shared == wanted.Length || (shared >= 2 && shared == candidate.Length), ServedFrom);
    }

    private static int ServedFrom(string[] candidate, int shared) =>
        shared < candidate.Length && candidate[^(shared + 1)] is "httpproxy" or "wwwroot" ? 1 : 0;

    private EvidenceFile? BestMatch(string[] wanted, Func<int, string[], bool> accept, Func<string[], int, int>? tieBreak = null)
    {
        if (wanted.Length == 0 || !_byName.TryGetValue(wanted[^1], out var candidates)) return null;
        EvidenceFile? best = null;
        int bestShared = 0, bestTie = -1;
        foreach (var (file, segs) in candidates)
        {
            var shared = 0;
            while (shared < wanted.Length && shared < segs.Length && segs[^(shared + 1)] == wanted[^(shared + 1)]) shared++;
            if (!accept(shared, segs)) continue;
            var tie = tieBreak?.Invoke(segs, shared) ?? 0;
            if (shared > bestShared || (shared == bestShared && tie > bestTie)) { best = file; bestShared = shared; bestTie = tie; }
        }
        return best;
    }
}
