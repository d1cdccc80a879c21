using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// CVE-2021-27065 second step in HttpProxy: the SSRF carried a DDI <c>Reset*VirtualDirectory</c> call, which makes
/// Exchange write the virtual directory's settings (now holding the shell set in ExternalUrl) to a path the attacker
/// chose. Test-ProxyLogon: AnchorMailbox <c>-like 'ServerInfo~*/*Reset*VirtualDirectory#'</c> and HttpStatus 200
/// ("WebShell possibly downloaded in file system"); another status is a failed try.
/// </summary>
internal sealed class ResetVirtualDirectorySsrfRule : ILogRule
{
    public static readonly RuleInfo Info = new("exch-27065-reset-vdir-ssrf",
        "ProxyLogon file write: virtual directory reset through the SSRF (CVE-2021-27065)",
        Severity.Critical, ["CVE-2021-27065", "CVE-2021-26855"], ["T1190", "T1505.003"], "persistence", Proves.Compromise);

    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.HttpProxy;

    public IReadOnlyList<string>? LineNeedles { get; } = ["ServerInfo~"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var anchor = record[Field.AnchorMailbox];
        if (anchor.Length < 30 || !WebText.Has(anchor, "VirtualDirectory") || !WebText.Like(anchor, "ServerInfo~*/*Reset*VirtualDirectory#"))
            return;
        var status = HttpOutcome.Status(record);
        var outcome = status == 200 ? Outcome.Succeeded : status == 0 ? Outcome.Unknown : Outcome.Failed;
        context.Add(WebHit.Make(record, Info, outcome, anchor, severity: outcome == Outcome.Failed ? Severity.High : null));
        ResetPathClaim.Claim(record, context, Info.Id);
    }
}

/// <summary>
/// CVE-2021-27065 reset as the ECP back end logs it in IIS (and HttpProxy): POST
/// <c>/ecp/DDI/DDIService.svc/SetObject</c> with <c>schema=Reset…VirtualDirectory</c> (Sigma
/// web_cve_2021_26858_iis_rce). Through the SSRF the back end sees the server's machine account (<c>DOMAIN\HOST$</c>),
/// which Sigma requires; a named admin resetting a directory in ECP is only worth a look.
/// </summary>
internal sealed class ResetVirtualDirectoryRequestRule : ILogRule
{
    public static readonly RuleInfo MachineAccount = new("web-27065-reset-vdir-request",
        "ProxyLogon file write: ECP virtual directory reset by the machine account (CVE-2021-27065)",
        Severity.Critical, ["CVE-2021-27065", "CVE-2021-26855"], ["T1190", "T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo ByUser = new("web-27065-reset-vdir-by-user",
        "Virtual directory reset through ECP by a user account (CVE-2021-27065 shape, may be an admin)",
        Severity.Medium, ["CVE-2021-27065"], ["T1505.003"], "persistence", Proves.Weak, Proves.Attempt);

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    public IReadOnlyList<string>? LineNeedles { get; } = ["schema=Reset"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.Length < 33 || !WebText.Ends(stem, "/DDIService.svc/SetObject") || !WebText.Starts(stem, "/ecp/")) return;
        var query = record[Field.UrlQuery];
        if (!WebText.Has(query, "schema=Reset") || !WebText.Has(query, "VirtualDirectory")) return;
        if (!WebText.IsPost(record[Field.Method]) && !record[Field.Method].IsEmpty) return;

        var user = record[Field.User];
        var machine = user.Length > 1 && user[^1] == '$';
        var status = HttpOutcome.Status(record);
        var outcome = status == 200 ? Outcome.Succeeded : status == 0 ? Outcome.Unknown : Outcome.Failed;
        var rule = machine ? MachineAccount : ByUser;
        context.Add(WebHit.Make(record, rule, outcome, WebHit.Request(record)));
        if (machine) ResetPathClaim.Claim(record, context, rule.Id);
    }
}

internal static class ResetPathClaim
{
    /// <summary>The reset's target file, when the line carries it (the DDI body's FilePathName, or a Path= to a file).</summary>
    public static void Claim(LogRecord record, ScanContext context, string ruleId)
    {
        var raw = record.Raw;
        var path = ClaimedPaths.ValueAfter(raw, "FilePathName");
        if (path is null && ClaimedPaths.ValueAfter(raw, "Path") is { } p && ClaimedPaths.LooksLikeFile(p)) path = p;
        if (path is not null && ClaimedPaths.IsWindowsPath(path)) WebHit.ClaimWrite(context, record, path, ruleId, "virtual directory reset target");
    }
}
