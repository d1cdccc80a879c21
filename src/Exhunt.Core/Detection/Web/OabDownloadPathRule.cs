using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// CVE-2021-26858 (post-auth file write through the OAB generator), as Test-ProxyLogon checks it: OAB generator log lines
/// "Download failed and temporary file '&lt;path&gt;' needs to be removed" whose path is not under
/// <c>&lt;Install&gt;\ClientAccess\OAB</c>. Microsoft: files should only be downloaded to ClientAccess\OAB\Temp; any
/// other local or UNC path indicates exploitation. The install folder is unknown here, so a legitimate path is a local
/// path with a <c>\ClientAccess\OAB\</c> segment and no way out of it (no <c>..</c>, no web root).
/// </summary>
internal sealed class OabDownloadPathRule : ILogRule
{
    public static readonly RuleInfo Info = new("oab-26858-download-path",
        "OAB generator wrote a download outside ClientAccess\\OAB (CVE-2021-26858 file write)",
        Severity.Critical, ["CVE-2021-26858"], ["T1190", "T1505.003"], "persistence", Proves.Compromise);

    private const string Prefix = "Download failed and temporary file ";
    private const string Suffix = " needs to be removed";

    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.OabGenerator;

    public IReadOnlyList<string>? LineNeedles { get; } = [Prefix];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var raw = record.Raw;
        var start = raw.IndexOf(Prefix, StringComparison.OrdinalIgnoreCase);
        if (start < 0) return;
        var rest = raw[(start + Prefix.Length)..];
        var end = rest.IndexOf(Suffix, StringComparison.OrdinalIgnoreCase);
        if (end <= 0) return;
        var quoted = rest[..end];
        var path = quoted.Trim().Trim('\'').Trim('"').Trim();
        if (path.IsEmpty || IsLegitimate(path)) return;

        var pathText = path.ToString();
        context.Add(WebHit.Make(record, Info, Outcome.Unknown, quoted.Trim(),
            details: new Dictionary<string, string> { ["path"] = pathText }));
        WebHit.ClaimWrite(context, record, pathText, Info.Id, "OAB download temporary file");
    }

    private static bool IsLegitimate(ReadOnlySpan<char> path) =>
        path.Length > 3 && path[1] == ':' && char.IsAsciiLetter(path[0])
        && WebText.Has(path, @"\ClientAccess\OAB\")
        && !path.Contains("..", StringComparison.Ordinal)
        && !WebText.Has(path, @"\FrontEnd\") && !WebText.Has(path, @"\inetpub\") && !WebText.Has(path, "aspnet_client");
}
