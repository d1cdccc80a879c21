using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Detection.Files;

/// <summary>
/// A server page under ProgramData. ProxyShell intruders (Huntress, via signature-base) added IIS virtual
/// directories pointing at C:\ProgramData\COM1|CON|AUX|WHO|ZING|ZOO|XYZ\ — reserved device names that Explorer cannot
/// open — and dropped .aspx shells there: a page in such a folder is compromise. Any other page under ProgramData is
/// odd for an Exchange server (nothing there is served by default) but vendor tools do ship pages: weak alone,
/// compromise next to exploitation.
/// </summary>
public sealed class ProgramDataPageRule : IFileRule
{
    public static readonly RuleInfo DeviceFolder = new("file-page-programdata-device-folder", "Server page in a ProgramData device-name folder (ProxyShell vdir)",
        Severity.Critical, [], ["T1505.003", "T1564"], "persistence", Proves.Compromise);

    public static readonly RuleInfo Other = new("file-page-programdata", "Server page under ProgramData",
        Severity.Medium, [], ["T1505.003"], "persistence", Proves.Weak, WithExploitation: Proves.Compromise);

    private static readonly HashSet<string> HuntressFolders = new(StringComparer.Ordinal) { "con", "aux", "prn", "nul", "who", "zing", "zoo", "xyz", "com" };

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.WebPage or ArtifactKind.Unrecognised;

    public void Inspect(EvidenceFile file, Content.FileContent content, ScanContext context)
    {
        var head = content.Head.Span;
        var sha256 = content.Sha256;
        if (!WebShellFolders.IsPage(file.FileName)) return;
        var segs = EvidencePath.Segments(EvidencePath.Normalise(file.RelativePath));
        var at = ProgramDataIndex(segs);
        if (at < 0 || at >= segs.Length - 1) return;
        var device = at + 2 < segs.Length && IsDeviceName(segs[at + 1]);
        var details = FileDetails.Of(file, sha256);
        details["folder"] = string.Join('/', segs[at..^1]);
        context.Add(new Finding
        {
            Rule = device ? DeviceFolder : Other,
            Title = $"{(device ? DeviceFolder.Title : Other.Title)}: {file.FileName}",
            Artifact = file.RelativePath,
            Details = details,
        });
    }

    private static int ProgramDataIndex(string[] segs)
    {
        for (var i = 0; i < segs.Length; i++)
        {
            if (segs[i] == "programdata") return i;
            if (segs[i] == "all users" && i > 0 && segs[i - 1] == "users") return i;
        }
        return -1;
    }

    private static bool IsDeviceName(string folder) =>
        HuntressFolders.Contains(folder) || (folder.Length == 4 && (folder.StartsWith("com") || folder.StartsWith("lpt")) && char.IsAsciiDigit(folder[3]));
}
