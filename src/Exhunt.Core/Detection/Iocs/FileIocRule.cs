using Exhunt.Detection.Files;
using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Detection.Iocs;

/// <summary>
/// A collected file matches a published indicator: its SHA-256 (Data/iocs/sha256.tsv), its path
/// (Data/iocs/paths.tsv, matched as a trailing path whatever the drive, install root or collection layout), or — for
/// a server page inside a web-shell folder — a published web-shell file name (Data/iocs/webshell-names.tsv).
/// </summary>
public sealed class FileIocRule : IFileRule
{
    public static readonly RuleInfo WebShellHash = new("ioc-webshell-hash", "File is a known web shell (SHA-256)",
        Severity.Critical, [], ["T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo ToolHash = new("ioc-tool-hash", "File is a known attacker tool (SHA-256)",
        Severity.High, [], ["T1059.001"], "execution", Proves.Weak, WithExploitation: Proves.Compromise);

    public static readonly RuleInfo KnownPath = new("ioc-known-path", "File at a published attacker path",
        Severity.High, [], ["T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo WebShellName = new("ioc-webshell-name", "Page with a published web-shell name in a web-shell folder",
        Severity.High, [], ["T1505.003"], "persistence", Proves.Compromise);

    public bool Handles(ArtifactKind kind) => true;

    public void Inspect(EvidenceFile file, Content.FileContent content, ScanContext context)
    {
        var head = content.Head.Span;
        var sha256 = content.Sha256;
        if (sha256 is not null && IocData.Hashes.TryGetValue(sha256, out var hash))
            context.Add(Make(file, hash.IsTool ? ToolHash : WebShellHash, $"{(hash.IsTool ? "Known attacker tool" : "Known web shell")}: {hash.Name}",
                sha256, ("ioc_name", hash.Name), ("ioc_source", hash.Source)));

        var normalised = EvidencePath.Normalise(file.RelativePath);
        var path = IocData.MatchPath(EvidencePath.Segments(normalised));
        if (path is not null)
        {
            context.Add(Make(file, KnownPath, $"File at published {(path.IsTool ? "attacker-tool" : "web-shell")} path {path.WindowsSuffix}",
                sha256, ("ioc_path", path.WindowsSuffix), ("ioc_source", path.Source)));
            return;
        }

        var name = file.FileName.ToLowerInvariant();
        if (WebShellFolders.IsPage(name) && IocData.WebShellNames.TryGetValue(name, out var source))
        {
            var folder = WebShellFolders.Locate(normalised);
            if (folder.IsShellFolder && !folder.Stock)
                context.Add(Make(file, WebShellName, $"Published web-shell name {file.FileName} in {NonStockPageRule.Describe(folder.Folder)}",
                    sha256, ("ioc_name", file.FileName), ("ioc_source", source), ("folder", folder.Folder.ToString())));
        }
    }

    private static Finding Make(EvidenceFile file, RuleInfo rule, string title, string? sha256, params (string Key, string Value)[] extra)
    {
        var details = FileDetails.Of(file, sha256);
        foreach (var (k, v) in extra) details[k] = v;
        return new Finding { Rule = rule, Title = title, Artifact = file.RelativePath, Details = details };
    }
}
