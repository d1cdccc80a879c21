using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// ProxyToken (CVE-2021-33766): unauthenticated ECP requests with an empty SecurityToken cookie, typically creating a
/// forwarding inbox rule in another user's mailbox. Sigma 56973b50 / signature-base LOG_EXPL_ProxyToken: POST to
/// <c>/ecp/</c> with <c>/RulesEditor/InboxRules.svc/NewObject</c> or <c>SecurityToken=</c>, answered 500. The 500 is
/// the exploit's usual answer whatever happened, so the outcome stays unknown. The exploit names the victim mailbox in
/// the path (<c>/ecp/victim@dom/RulesEditor/...</c>); without it the shape is only worth a look.
/// </summary>
internal sealed class ProxyTokenRule : ILogRule
{
    public static readonly RuleInfo Info = new("web-proxytoken-inboxrule",
        "ProxyToken: unauthenticated ECP inbox-rule request (CVE-2021-33766)",
        Severity.High, ["CVE-2021-33766"], ["T1190", "T1114.003"], "collection", Proves.Attempt);

    public static readonly RuleInfo Weak = new("web-proxytoken-shape",
        "ECP inbox-rule request failing with 500 (ProxyToken shape, CVE-2021-33766)",
        Severity.Medium, ["CVE-2021-33766"], ["T1190"], "collection", Proves.Weak);

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    public IReadOnlyList<string>? LineNeedles { get; } = ["/RulesEditor/InboxRules.svc/NewObject", "SecurityToken="];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.Length < 6 || !WebText.Starts(stem, "/ecp/") || record[Field.Status] is not "500") return;
        if (!WebText.IsPost(record[Field.Method])) return;
        var query = record[Field.UrlQuery];
        if (!WebText.Has(stem, "/RulesEditor/InboxRules.svc/NewObject") && !WebText.Has(query, "SecurityToken=")) return;
        var delegated = stem[5..].IndexOf('/') is var s and > 0 && stem.Slice(5, s).IndexOf('@') > 0;
        context.Add(WebHit.Make(record, delegated ? Info : Weak, Outcome.Unknown, WebHit.Request(record)));
    }
}

/// <summary>CVE-2021-28480 (Sigma a2a9d722): POST to <c>/owa/calendar/a…</c> not answered 503.</summary>
internal sealed class OwaCalendarPostRule : ILogRule
{
    public static readonly RuleInfo Info = new("web-28480-owa-calendar-post",
        "POST to /owa/calendar/a… (CVE-2021-28480 exploitation shape)",
        Severity.Medium, ["CVE-2021-28480"], ["T1190"], "initial-access", Proves.Attempt);

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    public IReadOnlyList<string>? LineNeedles { get; } = ["/owa/calendar/a"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.Length < 15 || !WebText.Starts(stem, "/owa/calendar/a") || !WebText.IsPost(record[Field.Method])) return;
        var status = HttpOutcome.Status(record);
        if (status == 503) return;
        context.Add(WebHit.Make(record, Info, status >= 400 ? Outcome.Failed : Outcome.Unknown, WebHit.Request(record)));
    }
}
