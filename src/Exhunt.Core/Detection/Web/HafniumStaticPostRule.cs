using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// HAFNIUM / ProxyLogon request shapes in IIS (and HttpProxy rows without a ServerInfo anchor, which the SSRF rule
/// reports already): POSTs to static files that never take a POST — <c>/owa/auth/Current/themes/resources/*</c>,
/// <c>/ecp/&lt;1-3 alnum&gt;.js</c>, <c>/ecp/default.flt</c>, <c>/ecp/main.css</c>, <c>/owa/auth/x.js|w.js</c>,
/// <c>/ecp/auth/w.js</c> (Sigma web_exchange_exploitation_hafnium, signature-base HAFNIUM log rules), widened as in
/// Sentinel's ExchangeServerProxyLogonURI hunt to <c>/ecp/&lt;1-30 alnum&gt;.(js|flt|css)</c> and
/// <c>/owa/auth/&lt;1-30 alnum&gt;.js</c>. The exploit's target rides in a cookie IIS does not log, so a 200 may be
/// the back end answering an autodiscover probe: only 241 (ECP session) counts as success here; HttpProxy's
/// AnchorMailbox shows the target and the SSRF rule judges it.
/// </summary>
internal sealed class HafniumStaticPostRule : ILogRule
{
    public static readonly RuleInfo Info = new("web-hafnium-post-static",
        "ProxyLogon request shape: POST to a static Exchange resource (HAFNIUM, CVE-2021-26855)",
        Severity.High, ["CVE-2021-26855"], ["T1190"], "initial-access", Proves.Attempt);

    private static readonly string[] Exact = ["/ecp/default.flt", "/ecp/main.css", "/owa/auth/x.js", "/owa/auth/w.js", "/ecp/auth/w.js"];

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>Every stem <see cref="Matches"/> takes is under the themes folder or ends in one of these extensions.</summary>
    public IReadOnlyList<string>? LineNeedles { get; } = ["s/resources/", ".js", ".flt", ".css"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.Length < 8 || stem[0] != '/' || !WebText.IsPost(record[Field.Method])) return;
        if (!Matches(stem)) return;
        if (record.Kind == ArtifactKind.HttpProxy && WebText.Starts(record[Field.AnchorMailbox], "ServerInfo~")) return;
        var status = HttpOutcome.Status(record);
        var outcome = HttpOutcome.HiddenTarget(status);
        context.Add(WebHit.Make(record, Info, outcome, WebHit.Request(record), severity: outcome == Outcome.Succeeded ? Severity.Critical : null));
    }

    internal static bool Matches(ReadOnlySpan<char> stem)
    {
        if (WebText.Starts(stem, "/owa/auth/Current/themes/resources/")) return true;
        foreach (var e in Exact) if (WebText.Is(stem, e)) return true;
        if (WebText.Starts(stem, "/ecp/"))
            return ShortName(stem[5..], 30, ".js", ".flt", ".css");
        if (WebText.Starts(stem, "/owa/auth/"))
            return ShortName(stem[10..], 30, ".js", null, null);
        return false;
    }

    /// <summary>1..max ASCII letters/digits followed by one of the extensions, and nothing else.</summary>
    private static bool ShortName(ReadOnlySpan<char> name, int max, string ext1, string? ext2, string? ext3)
    {
        var dot = name.IndexOf('.');
        if (dot < 1 || dot > max) return false;
        foreach (var c in name[..dot]) if (!char.IsAsciiLetterOrDigit(c)) return false;
        var ext = name[dot..];
        return WebText.Is(ext, ext1) || ext2 is not null && WebText.Is(ext, ext2) || ext3 is not null && WebText.Is(ext, ext3);
    }
}
