namespace Exhunt.Evidence;

/// <summary>
/// Infers where Exchange was installed from what the collection holds: the folder above <c>Logging\HttpProxy</c>,
/// <c>FrontEnd\HttpProxy</c>, <c>ClientAccess</c> or <c>Bin\ExSetup.exe</c>, whatever the layout
/// (<c>C/Program Files/Microsoft/Exchange Server/V15</c>, <c>uploads/auto/C%3A/...</c>, <c>D/Exchange</c> ...).
/// </summary>
public static class InstallRoots
{
    private static readonly string[][] Markers =
    [
        ["logging", "httpproxy"], ["logging", "ecp"], ["logging", "oabgeneratorlog"], ["logging", "cmdletinfra"],
        ["frontend", "httpproxy"], ["clientaccess", "owa"], ["clientaccess", "oab"], ["clientaccess", "ecp"], ["bin", "exsetup.exe"],
    ];

    /// <summary>Whether two successive normalised path segments mark an Exchange install (logging/httpproxy ...).</summary>
    internal static bool IsMarker(string first, string second)
    {
        foreach (var m in Markers) if (first == m[0] && second == m[1]) return true;
        return false;
    }

    /// <summary>Distinct install roots as evidence-relative paths in their original spelling ("" = the evidence root itself).</summary>
    public static IReadOnlyList<string> Infer(IEnumerable<EvidenceFile> files)
    {
        var roots = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in files)
        {
            var original = f.RelativePath.Split('/');
            var norm = original.Select(s => EvidencePath.Normalise(s)).ToArray();
            for (var i = 0; i + 1 < norm.Length; i++)
            {
                foreach (var m in Markers)
                {
                    if (norm[i] != m[0] || norm[i + 1] != m[1]) continue;
                    roots.Add(string.Join('/', original[..i]));
                    goto next;
                }
            }
            next:;
        }
        return roots.ToList();
    }
}
