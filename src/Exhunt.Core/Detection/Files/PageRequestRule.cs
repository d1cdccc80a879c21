using Exhunt.Detection.Iocs;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Files;

/// <summary>
/// Requests (IIS, HttpProxy) for server pages under /owa/auth/ (and its Current/ and build folders), /ecp/auth/ and
/// /aspnet_client/ that a standard install does not have. Each is recorded in <see cref="ScanContext.PageRequests"/>
/// for correlation with the collected files, and judged by its status:
/// 2xx — the page existed and ran: web-shell use, compromise;
/// 5xx — the page existed but failed (a shell called with wrong arguments, a PST/DER shell that does not compile): attempt;
/// 404 and others — a probe for someone else's web shell (mass scanners swept these names in 2021): weak.
/// Stock pages (logon.aspx ...) are not reported: every OWA user requests them. POSTs to them are recorded (bounded)
/// so that correlation can point at a stock page an intrusion client drove — ProxyNotShell intruders overwrote
/// RedirSuiteServiceProxy.aspx with a web shell — without judging them here.
/// Cheap prefilter: the stem must end in .aspx/.ashx/.asmx/.asp before any folder check; nothing is allocated
/// unless the request is for a non-stock page.
/// </summary>
public sealed class PageRequestRule : ILogRule
{
    public static readonly RuleInfo Ran = new("web-nonstock-page-ran", "Non-stock page in a web-shell folder answered 2xx (web shell used)",
        Severity.Critical, [], ["T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo Failed = new("web-nonstock-page-error", "Non-stock page in a web-shell folder answered 5xx (page exists)",
        Severity.High, [], ["T1505.003"], "persistence", Proves.Attempt);

    public static readonly RuleInfo Probe = new("web-nonstock-page-probe", "Request for a non-stock page in a web-shell folder (not served)",
        Severity.Low, [], ["T1595.003"], "reconnaissance", Proves.Weak);

    /// <summary>Bound on recorded requests per scan: a scanner sweeping thousands of names must not exhaust memory.</summary>
    public const int MaxRecorded = 200_000;

    /// <summary>Findings per scan for probes and for served pages; past these, requests are still recorded for
    /// correlation and one notice says that reporting stopped (a botnet sweep must not flood the report).</summary>
    public const int MaxProbeFindings = 1_000, MaxPageFindings = 5_000;

    /// <summary>Bound on recorded POSTs to stock pages per scan.</summary>
    public const int MaxStockPostsRecorded = 20_000;

    private readonly PerScanCounter _stockPosts = new();
    private readonly PerScan<(string Artifact, string? Ip, string Url, string Rule)> _reported = new();
    private readonly PerScan<string> _capNotices = new();
    private readonly PerScan<(string Artifact, string? Ip)> _probesReported = new();

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>
    /// Every folder LocateUrl/Locate accepts ends in one of these (the stem is compared as logged, not decoded): tails
    /// of "owa/auth/", "ecp/auth/", "aspnet_client/", chosen for the vectorised search (measured with
    /// <c>Exhunt.Bench block-needles</c>: "a/auth/" + "p/auth/" + "_client/" ran ten times slower on IIS text).
    /// </summary>
    public IReadOnlyList<string>? LineNeedles { get; } = ["/auth/", "t_client/"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.IsEmpty || !WebShellFolders.IsRequestablePage(stem)) return;
        var hit = WebShellFolders.LocateUrl(stem);
        if (!hit.IsShellFolder) return;
        if (hit.Stock)
        {
            if (record.Is(Field.Method, "POST") && _stockPosts.TryTake(context, MaxStockPostsRecorded))
                context.PageRequests.Enqueue(new PageRequest(stem.ToString(), "POST", ParseStatus(record[Field.Status]),
                    ClientIp(record[Field.ClientIp]), record.Str(Field.UserAgent), record.Time, record.File.RelativePath, record.Line));
            return;
        }

        var status = ParseStatus(record[Field.Status]);
        var url = stem.ToString();
        var method = record.Str(Field.Method) ?? "";
        var ip = ClientIp(record[Field.ClientIp]);
        if (context.PageRequests.Count < MaxRecorded)
            context.PageRequests.Enqueue(new PageRequest(url, method, status, ip, record.Str(Field.UserAgent), record.Time,
                record.File.RelativePath, record.Line));

        var (rule, outcome) = status switch
        {
            >= 200 and < 300 => (Ran, Outcome.Succeeded),
            >= 500 and < 600 => (Failed, Outcome.Unknown),
            _ => (Probe, Outcome.Failed),
        };
        var (seen, cap) = rule == Probe ? (_probesReported.Count(context), MaxProbeFindings) : (_reported.Count(context), MaxPageFindings);
        if (seen >= cap)
        {
            if (_capNotices.First(context, rule.Id))
                context.Add(new Finding
                {
                    Rule = rule,
                    Title = $"{rule.Title}: more than {cap} distinct clients/pages, further ones not reported individually",
                    Outcome = outcome,
                    Time = record.Time,
                    Artifact = record.File.RelativePath,
                    Host = record.Str(Field.ServerHost) ?? record.File.Host,
                    Line = record.Line,
                    ClientIp = ip,
                    Evidence = Finding.Clip(record.Raw),
                    Details = new Dictionary<string, string> { ["cap"] = cap.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                });
            return;
        }
        var first = rule == Probe
            ? _probesReported.First(context, (record.File.RelativePath, ip))
            : _reported.First(context, (record.File.RelativePath, ip, url.ToLowerInvariant(), rule.Id));
        if (!first) return;
        context.Add(new Finding
        {
            Rule = rule,
            Title = rule == Probe
                ? $"Probe for non-stock page {url} ({(status == 0 ? "no status" : status)})"
                : $"{method} {url} answered {status}: non-stock page in {NonStockPageRule.Describe(hit.Folder)}",
            Outcome = outcome,
            Time = record.Time,
            Artifact = record.File.RelativePath,
            Host = record.Str(Field.ServerHost) ?? record.File.Host,
            Line = record.Line,
            ClientIp = ip,
            UserAgent = record.Str(Field.UserAgent),
            User = record.Str(Field.User),
            Evidence = Finding.Clip(record.Raw),
            Details = new Dictionary<string, string>
            {
                ["url"] = url,
                ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["reported"] = rule == Probe ? "first probe of this file from this client" : "first such request of this file from this client for this page",
            },
        });
    }

    private static int ParseStatus(ReadOnlySpan<char> text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0;

    /// <summary>The first hop of the client column (HttpProxy/Rps may log a chain); as written when it is not IPv4.</summary>
    internal static string? ClientIp(ReadOnlySpan<char> column)
    {
        column = column.Trim();
        if (column.IsEmpty) return null;
        var cut = column.IndexOfAny(' ', ',', ';');
        var token = cut < 0 ? column : column[..cut];
        return Ipv4.TryParseToken(token, out var ip) ? Ipv4.Format(ip) : token.ToString();
    }
}
