using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Detection.Files;

/// <summary>
/// Archives (zip, 7z, rar, cab by magic) where HAFNIUM staged data for exfiltration: ProgramData (Test-ProxyLogon's
/// SuspiciousArchive check, 7-Zip to C:\ProgramData\pst, it.zip) and the web roots (makecab …\inetpub\wwwroot\*.dmp.zip).
///
/// Test-ProxyLogon's most common complaint is exactly this check: ProgramData is full of vendor and installer zips.
/// Microsoft gates it behind other hits; here a plain archive never moves the verdict. Being "exploitation seen"
/// can be one failed scanner probe, so WithExploitation is only Weak — the archive joins the incident for review
/// but does not turn an attempt into a compromise. An archive whose listing shows staged loot (a memory dump,
/// a mailbox export, an NTDS/registry hive) is different: with exploitation evidenced it is compromise.
/// </summary>
public sealed class ArchiveRule : IFileRule
{
    public static readonly RuleInfo ProgramData = new("file-archive-programdata", "Archive in ProgramData",
        Severity.Low, [], ["T1560.001"], "collection", Proves.Context, WithExploitation: Proves.Weak);

    public static readonly RuleInfo WebRoot = new("file-archive-webroot", "Archive in a web-served folder",
        Severity.Medium, [], ["T1560.001"], "collection", Proves.Weak);

    public static readonly RuleInfo Staging = new("file-archive-staging", "Archive holding dumps or mailbox data (exfiltration staging)",
        Severity.High, [], ["T1560.001", "T1074.001"], "collection", Proves.Weak, WithExploitation: Proves.Compromise);

    private static readonly string[] LootExtensions = [".dmp", ".pst", ".ost", ".dit", ".hiv", ".mdmp"];
    /// <summary>Registry hives saved with "reg save" keep bare names (or .save/.sav).</summary>
    private static readonly string[] HiveNames = ["sam", "system", "security"];

    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.Archive;

    public void Inspect(EvidenceFile file, Content.FileContent content, ScanContext context)
    {
        var head = content.Head.Span;
        var sha256 = content.Sha256;
        var path = EvidencePath.Normalise(file.RelativePath);
        var segs = EvidencePath.Segments(path);
        // Test-ProxyLogon looks at .zip/.7z/.rar only; ProgramData\Package Cache and installers hold cabinets by the hundred.
        var isCab = head.StartsWith("MSCF"u8);
        var inProgramData = !isCab && (segs.Contains("programdata") || path.Contains("users/all users/"));
        var inWebRoot = WebShellFolders.Locate(path).IsShellFolder || path.Contains("inetpub/wwwroot/") || path.Contains("frontend/httpproxy/");
        var entries = ArchiveContents.FirstNames(head);
        var loot = entries.Where(IsLoot).ToList();
        var nameIsLoot = LootExtensions.Any(e => path.Contains(e + ".", StringComparison.Ordinal)); // x.dmp.zip
        if (!inProgramData && !inWebRoot && loot.Count == 0 && !nameIsLoot) return;
        // A collection (logs, event logs) that could not be opened as a container (too deep, too big to hold) is
        // listed as such; a dump collected beside its logs is evidence, not staging, unless the archive sits where
        // attackers stage.
        if (!inProgramData && !inWebRoot && entries.Any(IsCollected)) return;

        var rule = loot.Count > 0 || nameIsLoot ? Staging : inWebRoot ? WebRoot : ProgramData;
        var details = FileDetails.Of(file, sha256);
        details["format"] = Format(head);
        if (entries.Count > 0) details["first_entries"] = string.Join(", ", entries.Take(8));
        if (loot.Count > 0) details["staged"] = string.Join(", ", loot.Take(8));
        context.Add(new Finding
        {
            Rule = rule,
            Title = rule == Staging ? $"Archive staging {(loot.Count > 0 ? string.Join(", ", loot.Take(3)) : "a dump")}: {file.FileName}"
                : $"{rule.Title}: {file.FileName}",
            Artifact = file.RelativePath,
            Details = details,
        });
    }

    private static readonly string[] CollectedFolders = ["logging/httpproxy/", "inetpub/logs/", "winevt/logs/", "uploads/auto/", "uploads/ntfs/", "/w3svc"];

    private static bool IsCollected(string entry)
    {
        var path = EvidencePath.Normalise(entry);
        return path.EndsWith(".evtx", StringComparison.Ordinal) || CollectedFolders.Any(f => path.Contains(f, StringComparison.Ordinal));
    }

    private static bool IsLoot(string entry)
    {
        var name = entry.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..].ToLowerInvariant();
        if (LootExtensions.Any(e => name.EndsWith(e, StringComparison.Ordinal))) return true;
        var dot = name.IndexOf('.');
        var stem = dot < 0 ? name : name[..dot];
        if (stem == "lsass") return true;
        return HiveNames.Contains(stem) && (dot < 0 || name.EndsWith(".save", StringComparison.Ordinal) || name.EndsWith(".sav", StringComparison.Ordinal));
    }

    private static string Format(ReadOnlySpan<byte> head) =>
        head.StartsWith("PK"u8) ? "zip" : head.StartsWith("7z"u8) ? "7z" : head.StartsWith("Rar!"u8) ? "rar" : head.StartsWith("MSCF"u8) ? "cab" : "archive";
}
