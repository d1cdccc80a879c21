using System.Buffers;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// The Autodiscover SSRF behind ProxyShell (2021) and ProxyNotShell (2022), in IIS and HttpProxy (Autodiscover) logs.
/// One line gives one finding, the most specific that fits:
/// <list type="bullet">
/// <item>URL-decoded stem+query holds "autodiscover" and "powershell" (EOMTv2's <c>(?=.*autodiscover)(?=.*powershell)</c>):
/// ProxyShell when the request is unauthenticated or carries <c>X-Rps-CAT</c> (the forged token), ProxyNotShell when a
/// user authenticated (CVE-2022-41040 needs a low-privileged login).</item>
/// <item><c>autodiscover.json</c> reaching <c>/mapi/nspi</c> or <c>/EWS</c> (Sigma "Successful Exchange ProxyShell Attack").</item>
/// <item>Only the SSRF marker (<c>Email=autodiscover/autodiscover.json</c>, <c>autodiscover.json?@</c>): a probe. Its
/// target is unknown, so it never counts as succeeded. Nessus's check shapes land here and are named.</item>
/// </list>
/// Legitimate Outlook requests (<c>/autodiscover/autodiscover.json/v1.0/user@dom?Protocol=EWS</c>) have no such marker.
/// In IIS the part after '?' is in cs-uri-query, so both fields are tested.
/// </summary>
internal sealed class AutodiscoverSsrfRule : ILogRule
{
    private static readonly string[] ProxyShellCves = ["CVE-2021-34473", "CVE-2021-34523"];
    private static readonly string[] ProxyNotShellCves = ["CVE-2022-41040", "CVE-2022-41082"];

    public static readonly RuleInfo ProxyShellPowerShell = new("web-proxyshell-powershell",
        "ProxyShell: Autodiscover SSRF to the Exchange PowerShell back end (CVE-2021-34473/34523)",
        Severity.High, ProxyShellCves, ["T1190", "T1059.001"], "initial-access", Proves.Attempt);

    public static readonly RuleInfo ProxyNotShellPowerShell = new("web-proxynotshell-powershell",
        "ProxyNotShell: authenticated Autodiscover SSRF to PowerShell (CVE-2022-41040/41082)",
        Severity.High, ProxyNotShellCves, ["T1190", "T1059.001"], "initial-access", Proves.Attempt);

    public static readonly RuleInfo ProxyShellBackEnd = new("web-proxyshell-ssrf",
        "ProxyShell: Autodiscover SSRF to a back-end service (/mapi/nspi, /EWS) (CVE-2021-34473)",
        Severity.High, ProxyShellCves[..1], ["T1190"], "initial-access", Proves.Attempt);

    public static readonly RuleInfo Probe = new("web-autodiscover-ssrf-probe",
        "Autodiscover SSRF probe (ProxyShell/ProxyNotShell marker, target unknown)",
        Severity.Medium, [.. ProxyShellCves[..1], ProxyNotShellCves[0]], ["T1190", "T1595.002"], "initial-access", Proves.Attempt);

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>
    /// Every finding needs, in the decoded stem or query, "powershell", "autodiscover.json" or "admin@localhost": a
    /// tail of each ("r.json": legitimate autodiscover requests are common and "aut" would be the search key) or
    /// one of their escapes (the rule decodes before matching).
    /// </summary>
    public IReadOnlyList<string>? LineNeedles { get; } = Needles.Decoded("powershell", "r.json", "@localhost").ToArray();

    public void Inspect(LogRecord record, ScanContext context)
    {
        var rawStem = record[Field.UrlStem];
        var rawQuery = record[Field.UrlQuery];
        var encoded = WebText.NeedsDecoding(rawStem) || WebText.NeedsDecoding(rawQuery);
        if (!encoded && !WebText.Has(rawStem, "autodiscover") && !WebText.Has(rawQuery, "autodiscover")) return;
        if (!encoded)
        {
            Classify(record, context, rawStem, rawQuery);
            return;
        }
        // Decode once (EOMTv2 matches the URL-decoded request): attackers write "%50owershell".
        char[]? rented = null;
        var length = rawStem.Length + rawQuery.Length;
        Span<char> buffer = length <= 1024 ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            var stemLength = WebText.Decode(rawStem, buffer);
            var queryLength = WebText.Decode(rawQuery, buffer[stemLength..]);
            var stem = buffer[..stemLength];
            var query = buffer.Slice(stemLength, queryLength);
            if (WebText.Has(stem, "autodiscover") || WebText.Has(query, "autodiscover")) Classify(record, context, stem, query);
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>Works on the decoded stem and query; evidence shows the URL as logged.</summary>
    private static void Classify(LogRecord record, ScanContext context, ReadOnlySpan<char> stem, ReadOnlySpan<char> query)
    {
        var status = HttpOutcome.Status(record);
        var rpsCat = WebText.Has(query, "X-Rps-CAT");

        var nessus = IsNessusShape(record[Field.UrlStem], record[Field.UrlQuery]);
        if (!nessus && (WebText.Has(stem, "powershell") || WebText.Has(query, "powershell")))
        {
            var rule = rpsCat || record[Field.User].IsEmpty ? ProxyShellPowerShell : ProxyNotShellPowerShell;
            var outcome = HttpOutcome.Strict(status);
            context.Add(WebHit.Make(record, rule, outcome, WebHit.Url(record),
                severity: outcome == Outcome.Succeeded ? Severity.Critical : null,
                details: rpsCat ? new Dictionary<string, string> { ["token"] = "X-Rps-CAT (forged PowerShell access token)" } : null));
            return;
        }

        var json = WebText.Has(stem, "autodiscover.json") || WebText.Has(query, "autodiscover.json");
        if (json && (WebText.Has(query, "/mapi/nspi") || WebText.Has(query, "/EWS") || rpsCat))
        {
            var outcome = HttpOutcome.WithRedirects(status);
            context.Add(WebHit.Make(record, ProxyShellBackEnd, outcome, WebHit.Url(record),
                severity: outcome == Outcome.Succeeded ? Severity.Critical : null));
            return;
        }

        if (!nessus && !IsSsrfMarker(stem, query)) return;
        var details = nessus
            ? new Dictionary<string, string> { ["scanner"] = "Nessus ProxyShell/ProxyNotShell check shape" } : null;
        context.Add(WebHit.Make(record, Probe, status >= 400 ? Outcome.Failed : Outcome.Unknown, WebHit.Url(record), details: details));
    }

    private static bool IsSsrfMarker(ReadOnlySpan<char> stem, ReadOnlySpan<char> query)
    {
        if (WebText.Has(query, "Email=autodiscover/autodiscover.json")) return true;
        if (WebText.Has(query, "autodiscover.json?@")) return true;
        if (WebText.Has(stem, "/autodiscover/admin@localhost/")) return true;
        // IIS: "/autodiscover/autodiscover.json" + query "@evil.com/..." (the '?' is dropped); HttpProxy keeps "?@".
        if (WebText.Ends(stem, "autodiscover.json"))
        {
            // "x=a": the public ProxyNotShell PoC (signature-base LOG_ProxyNotShell_POC_CVE_2022_41040_Nov22).
            var q = query.TrimStart('?');
            return !q.IsEmpty && (q[0] == '@' || WebText.Starts(q, "x=a"));
        }
        return false;
    }

    private static bool IsNessusShape(ReadOnlySpan<char> stem, ReadOnlySpan<char> query) =>
        WebText.Has(query, "@test.com/owa/?&Email=autodiscover/autodiscover.json%3F@test.com")
        || WebText.Is(stem, "/owa/") && WebText.Has(query, "&Email=autodiscover/autodiscover.json%3F@test.com&ClientId=");
}
