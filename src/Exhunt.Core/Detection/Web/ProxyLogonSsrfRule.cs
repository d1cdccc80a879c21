using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// CVE-2021-26855 (ProxyLogon SSRF) in HttpProxy logs of every protocol folder, as Test-ProxyLogon checks it:
/// AnchorMailbox <c>-like 'ServerInfo~*/*'</c>, with its autodiscover-only and localhost probes reported apart as
/// failed attempts (Microsoft dropped them as noise: autodiscover alone means no valid mailbox was found), plus the
/// back-end cookie shapes (BackEndCookie <c>Server~host/path~ver</c>, RoutingHint X-BEResource-Cookie /
/// X-AnonResource-Backend-Cookie; X-BEResource alone is weak, Exchange uses it too). A row with an authenticated front-end user is ordinary server-to-server proxying:
/// the exploit is unauthenticated (Microsoft's blog form requires an empty AuthenticatedUser).
/// </summary>
internal sealed class ProxyLogonSsrfRule : ILogRule
{
    private static readonly string[] Cve = ["CVE-2021-26855"];
    private static readonly string[] Attack = ["T1190"];

    public static readonly RuleInfo ServerInfo = new("exch-ssrf-serverinfo",
        "ProxyLogon SSRF: AnchorMailbox ServerInfo~ to a back-end path (CVE-2021-26855)",
        Severity.High, Cve, Attack, "initial-access", Proves.Attempt);

    public static readonly RuleInfo Probe = new("exch-ssrf-serverinfo-probe",
        "ProxyLogon SSRF probe: ServerInfo~ to autodiscover or localhost only (CVE-2021-26855)",
        Severity.Low, Cve, Attack, "initial-access", Proves.Attempt);

    public static readonly RuleInfo BackEndCookie = new("exch-ssrf-backend-cookie",
        "ProxyLogon SSRF: unauthenticated request routed by an X-BEResource / X-AnonResource-Backend cookie (CVE-2021-26855)",
        Severity.High, Cve, Attack, "initial-access", Proves.Attempt);

    /// <summary>Exchange sets X-BEResource itself for ECP routing; with no target path in view it is only worth a look.</summary>
    public static readonly RuleInfo RoutingHintOnly = new("exch-ssrf-beresource-hint",
        "Unauthenticated request routed by an X-BEResource cookie (ProxyLogon vector, target not logged)",
        Severity.Low, Cve, Attack, "initial-access", Proves.Weak, Proves.Attempt);

    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.HttpProxy;

    /// <summary>AnchorMailbox ServerInfo~, BackEndCookie Server~, and the two routing hints compared whole.</summary>
    public IReadOnlyList<string>? LineNeedles { get; } = ["ServerInfo~", "Server~", "X-BEResource-Cookie", "X-AnonResource-Backend-Cookie"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var anchor = record[Field.AnchorMailbox];
        var serverInfo = anchor.Length > 11 && WebText.Like(anchor, "ServerInfo~*/*");
        var cookie = record[Field.BackEndCookie];
        var cookieHit = cookie.Length > 7 && WebText.Like(cookie, "Server~*/*~*");
        var hint = record[Field.RoutingHint];
        var hintHit = hint.Length > 2 && hint[0] is 'X' or 'x'
            && (WebText.Is(hint, "X-BEResource-Cookie") || WebText.Is(hint, "X-AnonResource-Backend-Cookie"));
        if (!serverInfo && !cookieHit && !hintHit) return;
        if (IsAuthenticatedProxying(record)) return;

        var status = HttpOutcome.Status(record);
        var details = new Dictionary<string, string>
        {
            ["urlStem"] = record[Field.UrlStem].ToString(),
            ["protocol"] = record.File.Protocol ?? record[Field.Protocol].ToString(),
        };
        if (!hint.IsEmpty) details["routingHint"] = hint.ToString();
        if (!cookie.IsEmpty) details["backEndCookie"] = cookie.ToString();
        if (record[Field.User].IsEmpty) details["form"] = "empty AuthenticatedUser (Microsoft blog form)";

        if (serverInfo)
        {
            if (WebText.Like(anchor, "ServerInfo~*/autodiscover*") || WebText.Like(anchor, "ServerInfo~localhost*/*"))
            {
                details["why"] = "autodiscover-only or localhost target: excluded by Test-ProxyLogon as probing; the attacker did not reach a mailbox";
                context.Add(WebHit.Make(record, Probe, Outcome.Failed, anchor, details: details));
                return;
            }
            var outcome = HttpOutcome.Strict(status);
            string? title = null;
            if (status == 241 && WebText.Has(anchor, "proxyLogon.ecp"))
                title = "ProxyLogon SSRF: ECP session obtained through /ecp/proxyLogon.ecp (HTTP 241, CVE-2021-26855)";
            var severity = outcome == Outcome.Succeeded ? Severity.Critical : (Severity?)null;
            context.Add(WebHit.Make(record, ServerInfo, outcome, anchor, title, severity, details));
            return;
        }

        // Cookie shapes without a ServerInfo anchor. BackEndCookie "Server~host/path~ver" shows the smuggled target, so
        // its status is the back end's answer; a routing hint alone does not show where the request went.
        if (cookieHit)
        {
            context.Add(WebHit.Make(record, BackEndCookie, HttpOutcome.Strict(status), cookie,
                severity: status is 200 or 241 ? Severity.Critical : null, details: details));
        }
        else if (WebText.Is(hint, "X-AnonResource-Backend-Cookie"))
            context.Add(WebHit.Make(record, BackEndCookie, status >= 400 ? Outcome.Failed : Outcome.Unknown, hint, details: details));
        else
            context.Add(WebHit.Make(record, RoutingHintOnly, status >= 400 ? Outcome.Failed : Outcome.Unknown, hint, details: details));
    }

    /// <summary>A front-end user was authenticated: ordinary proxying between servers, not the pre-auth SSRF.</summary>
    private static bool IsAuthenticatedProxying(LogRecord record)
    {
        if (record[Field.User].IsEmpty) return false;
        var auth = record[Field.IsAuthenticated];
        return !WebText.Is(auth, "false");
    }
}
