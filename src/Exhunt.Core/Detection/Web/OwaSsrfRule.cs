using Exhunt.Data;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// OWASSRF (CVE-2022-41080 + CVE-2022-41082): a POST to <c>/owa/&lt;mailbox&gt;@&lt;domain&gt;/powershell</c> (or
/// <c>%40</c>) in IIS or HttpProxy (Sigma 181f49fa; signature-base expl_proxynotshell_owassrf_dec22). 200 is a
/// possible success, any other status a failed attempt (CrowdStrike). Exchange's own probe and WinRM agents are excluded.
/// </summary>
internal sealed class OwaSsrfRule : ILogRule
{
    public static readonly RuleInfo Info = new("web-owassrf-powershell",
        "OWASSRF: OWA explicit-logon path to PowerShell (CVE-2022-41080/41082)",
        Severity.High, ["CVE-2022-41080", "CVE-2022-41082"], ["T1190", "T1059.001"], "initial-access", Proves.Attempt);

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>The stem is /owa/&lt;mailbox&gt;/powershell as logged (not decoded).</summary>
    public IReadOnlyList<string>? LineNeedles { get; } = ["/powershell"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.Length < 17 || !WebText.Starts(stem, "/owa/") || !WebText.IsPost(record[Field.Method])) return;
        var rest = stem[5..];
        var slash = rest.IndexOf('/');
        if (slash < 3) return;
        var mailbox = rest[..slash];
        if (mailbox.IndexOf('@') < 0 && !WebText.Has(mailbox, "%40")) return;
        var target = rest[(slash + 1)..];
        if (!WebText.Starts(target, "powershell") || target.Length > 10 && target[10] is not ('/' or '?')) return;
        if (NormalClientInfo.Contains(record[Field.UserAgent])) return;

        var outcome = HttpOutcome.OnlyOk(HttpOutcome.Status(record));
        context.Add(WebHit.Make(record, Info, outcome, WebHit.Request(record),
            severity: outcome == Outcome.Succeeded ? Severity.Critical : null,
            details: new Dictionary<string, string> { ["explicitLogon"] = mailbox.ToString() }));
    }
}

/// <summary>
/// OWASSRF in the Rps_Http log, as CrowdStrike's Rps_Http-IOC.ps1 reads it: a ClientInfo other than the normal values
/// (Data/web/rps-http-normal-clientinfo.txt) holds the attacker's user agent. HttpStatus 200 is a possible success.
/// </summary>
internal sealed class RpsHttpClientInfoRule : ILogRule
{
    public static readonly RuleInfo Info = new("rps-owassrf-clientinfo",
        "OWASSRF: remote PowerShell request with an unusual ClientInfo (CVE-2022-41080/41082)",
        Severity.High, ["CVE-2022-41080", "CVE-2022-41082"], ["T1190", "T1059.001"], "execution", Proves.Attempt);

    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.RpsHttp;

    // LineNeedles: none. Any ClientInfo outside the normal list fires, so every Rps_Http line must be read.

    public void Inspect(LogRecord record, ScanContext context)
    {
        var info = record[Field.ClientInfo].Trim();
        if (info.IsEmpty || NormalClientInfo.Contains(info) || !HasWordChar(info)) return;
        var outcome = HttpOutcome.OnlyOk(HttpOutcome.Status(record));
        var details = new Dictionary<string, string>();
        if (record.Str(Field.FrontEndServer) is { } fe) details["frontEndServer"] = fe;
        if (record.Str(Field.ServerHost) is { } be) details["server"] = be;
        // ClientIpAddress may be a space-separated chain (client first, then proxies): the client joins incidents.
        var ips = record[Field.ClientIp].Trim();
        var space = ips.IndexOf(' ');
        if (space > 0) details["clientIpChain"] = ips.ToString();
        // Rps_Http has no user-agent column: the ClientInfo value is the client's agent.
        context.Add(WebHit.Make(record, Info, outcome, info, details: details, userAgent: info.ToString(),
            clientIp: space > 0 ? ips[..space].ToString() : null));
    }

    private static bool HasWordChar(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (char.IsLetterOrDigit(c) || c == '_') return true;
        return false;
    }
}

/// <summary>The ClientInfo / user-agent values Exchange itself sends to remote PowerShell (CrowdStrike, Sigma filters).</summary>
internal static class NormalClientInfo
{
    private static readonly string[] Values = DataFiles.ReadLines("web/rps-http-normal-clientinfo.txt").ToArray();

    public static bool Contains(ReadOnlySpan<char> value)
    {
        var v = value.Trim();
        foreach (var n in Values) if (WebText.Is(v, n)) return true;
        return false;
    }
}
