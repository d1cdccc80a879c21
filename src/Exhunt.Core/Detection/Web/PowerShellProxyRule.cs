using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// The second stage of ProxyNotShell/OWASSRF as the HttpProxy PowerShell log shows it (signature-base
/// EXPL_LOG_ProxyNotShell_PowerShell_Proxy_Log_Dec22_1): a Kerberos-authenticated POST to <c>/powershell</c> answered
/// 200, from a client that is not one of Exchange's own (WinRM client, back-end probes). Third-party management tools
/// can look alike, so alone it is weak; next to an SSRF it is the attacker's shell session.
/// </summary>
internal sealed class PowerShellProxyRule : ILogRule
{
    public static readonly RuleInfo Info = new("exch-powershell-proxy-unusual-client",
        "Remote PowerShell through the front end from an unusual client (ProxyNotShell/OWASSRF second stage)",
        Severity.Medium, ["CVE-2022-41082"], ["T1059.001"], "execution", Proves.Weak, Proves.Attempt);

    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.HttpProxy;

    public IReadOnlyList<string>? LineNeedles { get; } = ["/powershell"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.Length < 11 || !WebText.Starts(stem, "/powershell")) return;
        if (!WebText.Is(record[Field.AuthenticationType], "Kerberos") || !WebText.Is(record[Field.IsAuthenticated], "true")) return;
        if (record[Field.Status] is not "200") return;
        var method = record[Field.Method];
        if (method.IsEmpty ? !WebText.Has(record[Field.GenericInfo], "HttpMethod=POST") : !WebText.IsPost(method)) return;
        var ua = record[Field.UserAgent];
        if (ua.Trim().IsEmpty || NormalClientInfo.Contains(ua)) return;
        context.Add(WebHit.Make(record, Info, Outcome.Succeeded, string.Concat(WebHit.Request(record), " UA ", ua)));
    }
}
