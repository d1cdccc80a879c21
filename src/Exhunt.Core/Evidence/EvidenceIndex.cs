namespace Exhunt.Evidence;

/// <summary>
/// Finds collected files from what the logs name: a Windows path (<c>C:\inetpub\wwwroot\aspnet_client\x.aspx</c>,
/// <c>\\localhost\c$\...</c>) or a URL path (<c>/owa/auth/x.aspx</c>), whatever the collection layout. Matching is
/// by the longest run of trailing path segments, at least the file name and its folder.
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

    /// <summary>The collected file for a Windows path, or null.</summary>
    public EvidenceFile? FindWindowsPath(string windowsPath) =>
        BestMatch(EvidencePath.Segments(EvidencePath.NormaliseWindows(windowsPath)), minShared: 2);

    /// <summary>
    /// The collected file an IIS URL path is served from. Exchange serves /owa and /ecp from
    /// FrontEnd\HttpProxy\{owa,ecp} and /aspnet_client from inetpub\wwwroot.
    /// </summary>
    public EvidenceFile? FindUrlPath(string urlPath)
    {
        var path = urlPath.Split('?', 2)[0];
        var segs = EvidencePath.Segments(EvidencePath.Normalise(path));
        return BestMatch(segs, minShared: Math.Min(segs.Length, 2));
    }

    private EvidenceFile? BestMatch(string[] wanted, int minShared)
    {
        if (wanted.Length == 0 || !_byName.TryGetValue(wanted[^1], out var candidates)) return null;
        EvidenceFile? best = null;
        var bestShared = 0;
        foreach (var (file, segs) in candidates)
        {
            var shared = 0;
            while (shared < wanted.Length && shared < segs.Length && segs[^(shared + 1)] == wanted[^(shared + 1)]) shared++;
            if (shared > bestShared) { best = file; bestShared = shared; }
        }
        return bestShared >= Math.Max(minShared, 1) ? best : null;
    }
}
