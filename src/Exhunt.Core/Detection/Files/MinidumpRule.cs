using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Detection.Files;

/// <summary>
/// A process memory dump (MDMP magic, whatever the file is called: HAFNIUM used procdump and comsvcs.dll MiniDump
/// with names like lsass.dmp, 1.dmp or .gif). When the module list names lsass.exe it is an LSASS credential dump:
/// context alone (admins and crash handlers make dumps), compromise next to exploitation on the same host.
/// A dump whose module list names another process (WER crash dumps of w3wp, Exchange services) or cannot be read is
/// context only, whatever else was found: an unidentified dump never makes a compromise.
/// </summary>
public sealed class MinidumpRule : IFileRule
{
    public static readonly RuleInfo Lsass = new("file-lsass-dump", "LSASS memory dump (credential theft)",
        Severity.High, [], ["T1003.001"], "credential-access", Proves.Context, WithExploitation: Proves.Compromise);

    public static readonly RuleInfo OtherProcess = new("file-process-dump", "Process memory dump",
        Severity.Low, [], ["T1003"], "credential-access", Proves.Context);

    /// <summary>Test-ProxyLogon's own check is by name only (lsass.*dmp); a file so named without the MDMP magic
    /// (compressed, encoded or truncated on the way out) is reported the same way.</summary>
    public static readonly RuleInfo LsassName = new("file-lsass-dump-name", "File named like an LSASS dump (lsass*.dmp) without minidump content",
        Severity.Medium, [], ["T1003.001"], "credential-access", Proves.Context, WithExploitation: Proves.Weak);

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Minidump or ArtifactKind.Unrecognised or ArtifactKind.Archive;

    /// <summary>The header, directory and module list come first (<see cref="MinidumpInfo.MaxBytes"/>).</summary>
    public int ContentWanted(EvidenceFile file, ReadOnlySpan<byte> head) => file.Kind == ArtifactKind.Minidump ? MinidumpInfo.MaxBytes : 0;

    public void Inspect(EvidenceFile file, Content.FileContent content, ScanContext context)
    {
        var head = content.Head.Span;
        var sha256 = content.Sha256;
        if (file.Kind != ArtifactKind.Minidump)
        {
            var name = file.FileName;
            if (IsLsassName(name))
                context.Add(new Finding
                {
                    Rule = LsassName,
                    Title = $"{LsassName.Title}: {name}",
                    Artifact = file.RelativePath,
                    Details = FileDetails.Of(file, sha256),
                });
            return;
        }
        var info = MinidumpInfo.Parse(content.Bytes);
        var details = FileDetails.Of(file, sha256);
        details["process_image"] = info.ProcessImage ?? "(module list not readable)";
        // Test-ProxyLogon's own check is the name: a minidump called lsass*.dmp whose module list cannot be read is
        // still named for what it is. Any other unreadable dump (WER crash dumps) is unidentified.
        var byName = info.ProcessImage is null && IsLsassName(file.FileName);
        var isLsass = info.HasLsass || byName;
        context.Add(new Finding
        {
            Rule = isLsass ? Lsass : OtherProcess,
            Title = isLsass ? byName ? $"LSASS memory dump (by its name; module list not readable): {file.FileName}" : $"LSASS memory dump: {file.FileName}"
                : info.ProcessImage is null ? $"Memory dump of an unidentified process (module list not readable): {file.FileName}"
                : $"Memory dump of {Path.GetFileName(info.ProcessImage.Replace('\\', '/'))}: {file.FileName}",
            Artifact = file.RelativePath,
            Details = details,
        });
    }

    private static bool IsLsassName(string name) =>
        name.StartsWith("lsass", StringComparison.OrdinalIgnoreCase) && name.EndsWith("dmp", StringComparison.OrdinalIgnoreCase);
}
