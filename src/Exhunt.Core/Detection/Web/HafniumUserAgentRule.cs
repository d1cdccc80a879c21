using Exhunt.Data;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// Volexity's HAFNIUM user agents on the POST paths they were seen on (Data/web/hafnium-user-agents.tsv). Crawler
/// names on POSTs to /owa/auth/Current/ are forged (crawlers do not POST to a logon page's resources).
/// </summary>
internal sealed class HafniumUserAgentRule : ILogRule
{
    public static readonly RuleInfo Info = new("web-hafnium-user-agent",
        "HAFNIUM user agent (Volexity) on a POST to an Exchange exploitation path",
        Severity.High, ["CVE-2021-26855", "CVE-2021-27065"], ["T1190", "T1505.003"], "initial-access", Proves.Attempt);

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
                context.Add(WebHit.Make(record, Info, outcome, string.Concat(WebHit.Request(record), " UA ", ua),
                    details: new Dictionary<string, string> { ["knownUserAgent"] = pattern, ["path"] = prefix }));
                return;
            }
        }
    }

    private static (string[], string)[] Load() =>
        DataFiles.ReadLines("web/hafnium-user-agents.tsv")
            .Select(l => l.Split('\t', 2))
            .Where(p => p.Length == 2)
            .Select(p => (p[0].Split('|'), p[1].Replace('+', ' ')))
            .ToArray();
}
