using Exhunt.Data;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// Volexity's HAFNIUM user agents on the POST paths they were seen on (Data/web/hafnium-user-agents.tsv). Crawler
/// names on POSTs to /owa/auth/Current/ are forged (crawlers do not POST to a logon page's resources).
/// python-requests and ExchangeServicesClient are also what admins' own scripts send, so the agent counts as an
/// attempt only with something else that speaks for an attack: the request was unauthenticated, came from an
/// external address, or went to a known exploitation path (Data/web/exploitation-paths.tsv, the static-resource
/// POST shapes, a ServerInfo~ anchor). An authenticated internal client otherwise is at most a weak lead.
/// </summary>
internal sealed class HafniumUserAgentRule : ILogRule
{
    public static readonly RuleInfo Info = new("web-hafnium-user-agent",
        "HAFNIUM user agent (Volexity) on a POST to an Exchange exploitation path",
        Severity.High, ["CVE-2021-26855", "CVE-2021-27065"], ["T1190", "T1505.003"], "initial-access", Proves.Attempt);

    public static readonly RuleInfo AuthenticatedInternalInfo = new("web-hafnium-user-agent-internal-auth",
        "HAFNIUM-listed user agent from an authenticated internal client (likely admin automation; review)",
        Severity.Low, [], ["T1190"], "initial-access", Proves.Weak);

    private readonly (string Stem, string? Query)[] _exploitationPaths = LoadPaths();

    private readonly (string[] Prefixes, string UserAgent)[] _entries = Load();

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>
    /// Few needles keep the line search fast: shared tails of the agents' space-free runs (IIS writes '+' for a space,
    /// HttpProxy may write ','), checked against the data file when the rule loads. If an agent added to the file has
    /// none of them, the rule asks for every line rather than miss it.
    /// </summary>
    private static readonly string[] Shared = ["bot/", "spider/", "externalhit/", "Konqueror/", "Yahoo!", "Chrome/51.0.2704.103",
        "ServicesClient/", "python-requests/", "antSword/"];

    public IReadOnlyList<string>? LineNeedles => _entries.All(e => Shared.Any(n => Detection.Needles.UserAgentRun(e.UserAgent).Contains(n, StringComparison.OrdinalIgnoreCase)))
        ? Shared : null;

    public void Inspect(LogRecord record, ScanContext context)
    {
        var ua = record[Field.UserAgent];
        if (ua.Length < 12 || !WebText.IsPost(record[Field.Method])) return;
        var stem = record[Field.UrlStem];
        foreach (var (prefixes, pattern) in _entries)
        {
            if (!WebText.UserAgentStarts(ua, pattern)) continue;
            foreach (var prefix in prefixes)
            {
                if (!WebText.Starts(stem, prefix)) continue;
                // The agent names the actor, not what the request achieved: never a success on its own word.
                var outcome = HttpOutcome.HiddenTarget(HttpOutcome.Status(record));
                var why = Why(record, stem);
                var details = new Dictionary<string, string> { ["knownUserAgent"] = pattern, ["path"] = prefix, ["why"] = why ?? "authenticated internal client" };
                context.Add(WebHit.Make(record, why is null ? AuthenticatedInternalInfo : Info, outcome,
                    string.Concat(WebHit.Request(record), " UA ", ua), details: details));
                return;
            }
        }
    }

    /// <summary>What besides the agent speaks for an attack: null when nothing does.</summary>
    private string? Why(LogRecord record, ReadOnlySpan<char> stem)
    {
        var reasons = new List<string>(3);
        if (!IsAuthenticated(record)) reasons.Add("unauthenticated");
        if (ClientAddress.IsExternal(record[Field.ClientIp])) reasons.Add("external client");
        if (IsExploitationPath(record, stem)) reasons.Add("exploitation path");
        return reasons.Count == 0 ? null : string.Join(", ", reasons);
    }

    /// <summary>HttpProxy says so (IsAuthenticated); IIS names the user (cs-username is "-" when anonymous).</summary>
    private static bool IsAuthenticated(LogRecord record)
    {
        var flag = record[Field.IsAuthenticated];
        if (!flag.IsEmpty) return WebText.Is(flag, "true");
        var user = record[Field.User];
        return !user.IsEmpty && !WebText.Is(user, "-");
    }

    private bool IsExploitationPath(LogRecord record, ReadOnlySpan<char> stem)
    {
        if (HafniumStaticPostRule.Matches(stem) || WebText.Starts(record[Field.AnchorMailbox], "ServerInfo~")) return true;
        var query = record[Field.UrlQuery];
        foreach (var (prefix, needle) in _exploitationPaths)
            if (WebText.Starts(stem, prefix) && (needle is null || WebText.Has(query, needle))) return true;
        return false;
    }

    private static (string, string?)[] LoadPaths() =>
        DataFiles.ReadLines("web/exploitation-paths.tsv")
            .Select(l => l.Split('\t', 2))
            .Select(p => (p[0].Trim(), p.Length == 2 && p[1].Trim().Length > 0 ? p[1].Trim() : null))
            .ToArray();

    private static (string[], string)[] Load() =>
        DataFiles.ReadLines("web/hafnium-user-agents.tsv")
            .Select(l => l.Split('\t', 2))
            .Where(p => p.Length == 2)
            .Select(p => (p[0].Split('|'), p[1].Replace('+', ' ')))
            .ToArray();
}
