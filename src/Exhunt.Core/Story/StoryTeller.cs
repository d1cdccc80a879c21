using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Story;

/// <summary>An intrusion as the findings tell it: who (client IPs), on which host, when, which CVEs, how deep.</summary>
public sealed class Incident
{
    public string Id { get; set; } = "";
    public string Host { get; init; } = HostName.Unknown;
    public List<Finding> Findings { get; } = new();
    internal Dictionary<Finding, Proves> Levels { get; set; } = new();
    public DateTime? First => Findings.Min(f => f.Time);
    public DateTime? Last => Findings.Max(f => f.Time);
    public IEnumerable<string> ClientIps => Findings.Select(f => f.ClientIp).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase);
    public IEnumerable<string> Cves => Findings.SelectMany(f => f.Rule.Cves).Distinct().Order(StringComparer.Ordinal);
    public Verdict Verdict { get; set; }
    /// <summary>The deepest ATT&amp;CK tactic of any finding, tried or reached, in kill-chain order.</summary>
    public string Stage => Findings.Select(f => f.Rule.Tactic).OrderByDescending(Tactics.Rank).FirstOrDefault() ?? "";
    /// <summary>The deepest tactic a step did not fail at and that proves at least an attempt; null when every step failed.</summary>
    public string? ReachedStage => Findings.Where(f => Reached(f)).Select(f => f.Rule.Tactic).OrderByDescending(Tactics.Rank).FirstOrDefault();

    /// <summary>What a finding proves inside this incident, host and time window applied.</summary>
    public Proves LevelOf(Finding f) => Levels.TryGetValue(f, out var l) ? l : f.Rule.Implies;

    internal bool Reached(Finding f) => f.Outcome != Outcome.Failed && LevelOf(f) >= Proves.Attempt
        && (f.Outcome == Outcome.Succeeded || LevelOf(f) == Proves.Compromise);
}

public sealed record StoryResult(Verdict Verdict, string Sentence, IReadOnlyList<Incident> Incidents)
{
    /// <summary>One verdict per host, Exchange hosts first; the overall verdict is the worst of them.</summary>
    public IReadOnlyList<HostVerdict> Hosts { get; init; } = [];
}

/// <summary>What the scan read, for the sentence of an inconclusive verdict.</summary>
public sealed record ScanFacts(int Files, int FilesWithProblems, int ListingErrors, long LogRecords);

public static class Tactics
{
    private static readonly string[] Order =
    [
        "reconnaissance", "initial-access", "execution", "persistence", "privilege-escalation", "defense-evasion",
        "credential-access", "discovery", "lateral-movement", "collection", "command-and-control", "exfiltration", "impact",
    ];

    public static int Rank(string tactic) => Array.IndexOf(Order, tactic);
}

/// <summary>
/// Findings → per-host verdicts → incidents → one sentence. Windows, all within one host:
/// <list type="bullet">
/// <item>Context (dumps, archives, log clears, LSASS access: rules with <see cref="RuleInfo.WithExploitation"/>) is raised
/// only by exploitation on the same host, from <see cref="ContextLead"/> before the first exploitation there to
/// <see cref="ContextWindow"/> after it. A successful exploitation (or after-effect) raises it fully; attempts only raise
/// implants (persistence, execution: pages in Exchange's web folders) fully and other context (dumps, archives, log
/// clears, LSASS access) at most to weak. Context without a time counts on its host whenever exploitation is evidenced
/// there.</item>
/// <item>Host-side findings without a client address join an incident of the same host whose span they fall in, give or
/// take <see cref="Slack"/>; a file finding joins the incident whose requests or writes implicate that file.</item>
/// </list>
/// </summary>
public static class StoryTeller
{
    /// <summary>Findings without a client IP join an incident whose window they fall in, give or take this.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromHours(2);
    /// <summary>How long after the first exploitation on a host context there is read as its after-effect.</summary>
    public static readonly TimeSpan ContextWindow = TimeSpan.FromDays(30);
    /// <summary>Context this long before the first logged exploitation still counts (clock skew between sources).</summary>
    public static readonly TimeSpan ContextLead = TimeSpan.FromHours(2);

    /// <summary>The story of findings alone: every host they name counts as covered (tests, callers without coverage).</summary>
    public static StoryResult Tell(IReadOnlyList<Finding> findings) => Tell(findings, null, null);

    public static StoryResult Tell(IReadOnlyList<Finding> findings, IReadOnlyList<HostCoverage>? coverage, ScanFacts? facts)
    {
        var levels = Levels(findings);
        var byHost = findings.GroupBy(HostOf).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var hostNames = byHost.Keys.Concat(coverage?.Select(c => c.Host) ?? []).Distinct().ToList();
        var cov = coverage?.ToDictionary(c => c.Host, StringComparer.Ordinal) ?? new Dictionary<string, HostCoverage>();
        var incidents = Group(findings, levels);
        var hosts = new List<HostVerdict>();
        foreach (var h in hostNames)
        {
            var list = byHost.GetValueOrDefault(h) ?? [];
            var c = cov.GetValueOrDefault(h);
            var v = VerdictFrom(list.Select(f => levels[f]));
            if (v == Verdict.Clean && coverage is not null && (c is null || !c.CanShowExploitation)) v = Verdict.Inconclusive;
            var exchange = c?.Exchange ?? false;
            var hostIncidents = incidents.Where(i => i.Host == h).ToList();
            hosts.Add(new HostVerdict(h, v, c?.First ?? list.Min(f => f.Time), c?.Last ?? list.Max(f => f.Time), exchange,
                Sentence(v, list, hostIncidents, c is null ? [] : [c], facts, h)));
        }
        hosts = hosts.OrderByDescending(h => h.Exchange).ThenByDescending(h => h.Verdict).ThenBy(h => h.Host == HostName.Unknown)
            .ThenBy(h => h.Host, StringComparer.Ordinal).ToList();

        Verdict overall;
        string sentence;
        if (hosts.Count == 0)
        {
            overall = coverage is null ? Verdict.Clean : Verdict.Inconclusive;
            sentence = Sentence(overall, findings, incidents, [], facts, null);
        }
        else
        {
            // A host that does not show Exchange and read nothing that could show exploitation (a DC's logon events)
            // does not make an Exchange scan inconclusive; it is listed with its own verdict.
            var anyExchange = hosts.Any(h => h.Exchange);
            overall = hosts.Max(h => anyExchange && !h.Exchange && h.Verdict == Verdict.Inconclusive ? Verdict.Clean : h.Verdict);
            var worst = hosts.Where(h => h.Verdict == overall).ToList();
            if (hosts.Count == 1) sentence = hosts[0].Sentence;
            else if (anyExchange)
            {
                // The answer is about Exchange: its hosts are told first, worse news from other hosts after.
                var exchange = hosts.Where(h => h.Exchange).ToList();
                sentence = string.Join(" ", exchange.Take(3).Select(h => $"{h.Host} (Exchange): {h.Sentence}"))
                    + (exchange.Count > 3 ? $" {exchange.Count - 3} more Exchange host(s): {string.Join(", ", exchange.Skip(3).Take(5).Select(h => $"{h.Host} {h.Verdict.ToWire()}"))}." : "");
                var worse = hosts.Where(h => !h.Exchange && h.Verdict > exchange.Max(x => x.Verdict) && h.Verdict >= Verdict.Suspicious)
                    .OrderByDescending(h => h.Verdict).ToList();
                if (worse.Count > 0)
                    sentence += $" Hosts not showing Exchange: {string.Join("; ", worse.GroupBy(h => h.Verdict).Select(g => $"{g.Key.ToWire()} on {string.Join(", ", g.Take(4).Select(h => h.Host))}{(g.Count() > 4 ? $" and {g.Count() - 4} more" : "")}"))}.";
                var rest = hosts.Where(h => !h.Exchange && !worse.Contains(h)).ToList();
                if (rest.Count > 0)
                    sentence += $" {rest.Count} other host(s) not showing Exchange: " + string.Join(", ", rest.GroupBy(h => h.Verdict).OrderByDescending(g => g.Key)
                        .Select(g => $"{g.Count()} {g.Key.ToWire()}")) + ".";
            }
            else
            {
                if (overall >= Verdict.Suspicious)
                {
                    var told = findings.Where(f => worst.Any(h => h.Host == HostOf(f))).ToList();
                    sentence = Sentence(overall, told, incidents.Where(i => worst.Any(h => h.Host == i.Host)).ToList(), [], facts, null)
                        .TrimEnd('.') + $" (on {string.Join(", ", worst.Take(4).Select(h => h.Host))}{(worst.Count > 4 ? $" and {worst.Count - 4} more" : "")}).";
                }
                else
                {
                    var scope = (overall == Verdict.Inconclusive ? worst : hosts).Select(h => cov.GetValueOrDefault(h.Host)).OfType<HostCoverage>().ToList();
                    sentence = Sentence(overall, findings, incidents, scope, facts, overall == Verdict.Inconclusive ? string.Join(", ", worst.Take(6).Select(h => h.Host)) : null);
                }
                var others = hosts.Where(h => !worst.Contains(h)).ToList();
                if (others.Count > 0)
                    sentence += " Other hosts: " + string.Join(", ", others.GroupBy(h => h.Verdict).OrderByDescending(g => g.Key)
                        .Select(g => $"{g.Key.ToWire()} {(g.Count() <= 3 ? string.Join(", ", g.Select(h => h.Host)) : $"{g.Count()} hosts")}")) + ".";
            }
        }
        return new StoryResult(overall, sentence, incidents) { Hosts = hosts };
    }

    public static Verdict VerdictOf(IReadOnlyList<Finding> findings)
    {
        var levels = Levels(findings);
        return findings.GroupBy(HostOf).Select(g => VerdictFrom(g.Select(f => levels[f]))).DefaultIfEmpty(Verdict.Clean).Max();
    }

    private static string HostOf(Finding f) => HostName.Normalize(f.Host) ?? HostName.Unknown;

    private static Verdict VerdictFrom(IEnumerable<Proves> levels) => levels.DefaultIfEmpty(Proves.Context).Max() switch
    {
        Proves.Compromise => Verdict.Compromised,
        Proves.Attempt => Verdict.Attempted,
        Proves.Weak => Verdict.Suspicious,
        _ => Verdict.Clean,
    };

    /// <summary>What each finding proves, with context raised only by exploitation on its own host inside the window.</summary>
    internal static Dictionary<Finding, Proves> Levels(IReadOnlyList<Finding> findings)
    {
        var levels = new Dictionary<Finding, Proves>();
        foreach (var host in findings.GroupBy(HostOf))
        {
            var list = host.ToList();
            var success = Anchor(list.Where(f => Level(f, false) == Proves.Compromise));
            var attempt = Anchor(list.Where(f => Level(f, false) >= Proves.Attempt));
            foreach (var f in list)
            {
                var own = Level(f, false);
                var level = own;
                if (f.Rule.WithExploitation is { } w && w > own)
                {
                    if (success.Seen && InWindow(f.Time, success.First)) level = Level(f, true);
                    else if (attempt.Seen && InWindow(f.Time, attempt.First))
                        level = IsImplant(f) ? Level(f, true) : (Proves)Math.Max((int)own, Math.Min((int)Level(f, true), (int)Proves.Weak));
                }
                levels[f] = level;
            }
        }
        return levels;
    }

    /// <summary>An after-effect tied to Exchange itself (a page planted in its web folders, a script it runs): next to
    /// an exploitation attempt on the same host it is the evidence that the attempt worked. Generic context (dumps,
    /// archives, log clears, LSASS access) needs a successful exploitation to count as compromise.</summary>
    private static bool IsImplant(Finding f) => f.Rule.Tactic is "persistence" or "execution";

    private static (bool Seen, DateTime? First) Anchor(IEnumerable<Finding> exploitation)
    {
        var seen = false;
        DateTime? first = null;
        foreach (var f in exploitation)
        {
            seen = true;
            if (f.Time is { } t && (first is null || t < first)) first = t;
        }
        return (seen, first);
    }

    private static bool InWindow(DateTime? t, DateTime? anchor) =>
        t is not { } v || anchor is not { } a || (v >= a - ContextLead && v <= a + ContextWindow);

    private static Proves Level(Finding f, bool exploitationSeen)
    {
        var level = exploitationSeen && f.Rule.WithExploitation is { } w ? w : f.Rule.Implies;
        // A compromise rule whose log says the action failed proves only the attempt.
        if (level == Proves.Compromise && f.Outcome == Outcome.Failed) return Proves.Attempt;
        if (level == Proves.Attempt && f.Outcome == Outcome.Succeeded && f.Rule.Implies >= Proves.Attempt) return Proves.Compromise;
        return level;
    }

    private static List<Incident> Group(IReadOnlyList<Finding> findings, Dictionary<Finding, Proves> levels)
    {
        var all = new List<Incident>();
        foreach (var host in findings.Where(f => levels[f] >= Proves.Weak).GroupBy(HostOf).OrderBy(g => g.Key, StringComparer.Ordinal))
            all.AddRange(GroupHost(host.Key, host.ToList(), levels));
        var ordered = all.OrderBy(i => i.First is null).ThenBy(i => i.First).ThenBy(i => i.Host, StringComparer.Ordinal).ToList();
        for (var n = 0; n < ordered.Count; n++)
        {
            ordered[n].Id = "I" + (n + 1);
            ordered[n].Levels = ordered[n].Findings.ToDictionary(f => f, f => levels[f]);
            ordered[n].Verdict = VerdictFrom(ordered[n].Findings.Select(f => levels[f]));
        }
        return ordered;
    }

    private static List<Incident> GroupHost(string host, List<Finding> relevant, Dictionary<Finding, Proves> levels)
    {
        var byIp = new Dictionary<string, Incident>(StringComparer.OrdinalIgnoreCase);
        var incidents = new List<Incident>();
        foreach (var f in relevant.Where(f => f.ClientIp is not null))
        {
            if (!byIp.TryGetValue(f.ClientIp!, out var incident)) { byIp[f.ClientIp!] = incident = new Incident { Host = host }; incidents.Add(incident); }
            incident.Findings.Add(f);
        }
        bool Succeeded(Incident i) => i.Findings.Any(x => levels[x] == Proves.Compromise || x.Outcome == Outcome.Succeeded);
        var hostOnly = new List<Incident>();
        var untimed = new List<Finding>();
        // Host-side evidence with a time first, then files and other untimed findings, which may join either.
        foreach (var f in relevant.Where(f => f.ClientIp is null).OrderBy(f => f.Time is null))
        {
            // A file joins the incident whose requests or writes implicate it: the correlation finding (corr-*) for
            // the same file sits there with the implicating client.
            var home = f.Line is null && f.Record is null
                ? incidents.Concat(hostOnly).FirstOrDefault(i => i.Findings.Any(x => x != f && x.Artifact == f.Artifact && IsCorrelation(x)))
                : null;
            // Host-side evidence (a cmdlet, a dump) belongs with the client that got in, not with scanner noise
            // in the same hours: prefer incidents with success, then the nearest in time.
            home ??= f.Time is { } t
                ? incidents.Where(i => i.First is { } a && i.Last is { } b && t >= a - Slack && t <= b + Slack)
                    .OrderByDescending(Succeeded).ThenBy(i => Distance(t, i.First!.Value, i.Last!.Value)).FirstOrDefault()
                  ?? hostOnly.FirstOrDefault(i => i.First is { } a && i.Last is { } b && t >= a - Slack && t <= b + Slack)
                : null;
            if (home is null && f.Time is null) { untimed.Add(f); continue; }
            if (home is null) { home = new Incident { Host = host }; hostOnly.Add(home); }
            home.Findings.Add(f);
        }
        incidents.AddRange(hostOnly);
        if (untimed.Count > 0)
        {
            // Untimed evidence on a host with an intrusion belongs to it (the one that succeeded, else the first);
            // only on a host with nothing else does it stand as its own incident.
            var home = incidents.Where(Succeeded).OrderBy(i => i.First ?? DateTime.MaxValue).FirstOrDefault()
                ?? incidents.Where(i => i.Findings.Any(x => levels[x] >= Proves.Attempt)).OrderBy(i => i.First ?? DateTime.MaxValue).FirstOrDefault();
            if (home is null) { home = new Incident { Host = host }; incidents.Add(home); }
            home.Findings.AddRange(untimed);
        }
        MergeInternalHops(incidents, levels);
        return incidents;
    }

    /// <summary>
    /// Back-end logs (IIS W3SVC2, port 444) see the front-end server, not the client, as c-ip; internal addresses
    /// active in the hours of a successful outside intrusion are folded into it rather than told as a second intruder.
    /// </summary>
    private static void MergeInternalHops(List<Incident> incidents, Dictionary<Finding, Proves> levels)
    {
        foreach (var inner in incidents.ToList())
        {
            var ips = inner.ClientIps.ToList();
            if (ips.Count == 0 || !ips.All(IpAddresses.IsInternal) || inner.First is not { } a || inner.Last is not { } b) continue;
            var outer = incidents
                .Where(o => o != inner && o.ClientIps.Any(ip => !IpAddresses.IsInternal(ip)) && o.First is { } oa && o.Last is { } ob
                    && a <= ob + Slack && b >= oa - Slack
                    && o.Findings.Any(x => x.Outcome == Outcome.Succeeded || levels[x] == Proves.Compromise))
                .OrderBy(o => Distance(a, o.First!.Value, o.Last!.Value))
                .FirstOrDefault();
            if (outer is null) continue;
            outer.Findings.AddRange(inner.Findings);
            incidents.Remove(inner);
        }
    }

    private static bool IsCorrelation(Finding f) => f.Rule.Id.StartsWith("corr-", StringComparison.Ordinal);

    private static TimeSpan Distance(DateTime t, DateTime first, DateTime last) =>
        t < first ? first - t : t > last ? t - last : TimeSpan.Zero;

    private static string Sentence(Verdict verdict, IReadOnlyList<Finding> findings, IReadOnlyList<Incident> incidents,
        IReadOnlyList<HostCoverage> coverage, ScanFacts? facts, string? hostName)
    {
        if (verdict == Verdict.Inconclusive) return Inconclusive(coverage, facts, hostName);
        if (verdict == Verdict.Clean) return Clean(findings, coverage);
        // Speak of the incidents that carry the verdict: a compromise is told by the intruder, not by the scanners.
        var telling = incidents.Where(i => i.Verdict == verdict).ToList();
        var told = telling.Count > 0 ? telling.SelectMany(i => i.Findings).ToList() : findings.ToList();
        var cves = told.SelectMany(f => f.Rule.Cves).Distinct().Order(StringComparer.Ordinal).ToList();
        var ips = telling.SelectMany(i => i.ClientIps).Where(ip => !IpAddresses.IsInternal(ip)).Distinct().Take(4).ToList();
        var first = told.Where(f => f.Rule.Implies >= Proves.Attempt).Min(f => f.Time) ?? told.Min(f => f.Time);
        var (what, after) = verdict switch
        {
            Verdict.Compromised => ("Compromised: exploitation succeeded", ""),
            Verdict.Attempted => ("Attempted: exploitation was tried", ", with no evidence that it succeeded"),
            _ => ("Suspicious: weaker signals only", "; no evidence of exploitation"),
        };
        var parts = new List<string> { what };
        if (cves.Count > 0) parts.Add("via " + string.Join(", ", cves));
        if (ips.Count > 0) parts.Add("from " + string.Join(", ", ips));
        if (first is { } t) parts.Add("starting " + Timestamps.ToIso(t));
        var others = incidents.Count(i => i.Verdict < verdict && i.Verdict >= Verdict.Attempted);
        var sentence = string.Join(" ", parts) + after + ".";
        return others > 0 ? sentence + $" {others} other incident(s) were attempts only." : sentence;
    }

    private const string WhatToCollect = "Collect the Exchange logs (Logging\\HttpProxy, Logging\\ECP, Logging\\CmdletInfra), "
        + "the IIS logs (inetpub\\logs\\LogFiles), the event logs (Application and MSExchange Management, Security, Sysmon) "
        + "and the web roots (FrontEnd\\HttpProxy\\owa|ecp, inetpub\\wwwroot), then scan again.";

    private static string Inconclusive(IReadOnlyList<HostCoverage> coverage, ScanFacts? facts, string? hosts)
    {
        var read = facts is null ? "" : facts.Files == 0
            ? facts.ListingErrors > 0 ? $" ({facts.ListingErrors} listing problem(s): folders that could not be read or links not followed; no file was read)" : " (the evidence holds no files)"
            : $" ({facts.Files} file(s) read, {facts.LogRecords:N0} log record(s){(facts.FilesWithProblems > 0 ? $", {facts.FilesWithProblems} with read problems" : "")})";
        var other = coverage.SelectMany(c => c.Kinds).ToList();
        var got = other.Count > 0 ? $" What was read: {string.Join(", ", other.Take(6))}." : "";
        var where = hosts is { Length: > 0 } && hosts != HostName.Unknown ? $" for {hosts}" : "";
        return $"Inconclusive: nothing read{where} could show exploitation — no Exchange or IIS log record, no Exchange-relevant event, no web root{read}.{got} {WhatToCollect}";
    }

    private static string Clean(IReadOnlyList<Finding> findings, IReadOnlyList<HostCoverage> coverage)
    {
        var context = findings.Count == 0 ? "" : $"; {findings.Count} context item(s) listed for review";
        if (coverage.Count == 0) return $"Clean: no sign of exploitation in the logs and files read{context}.";
        var kinds = coverage.SelectMany(c => c.Kinds).GroupBy(k => k).Select(g => g.Key).Take(8).ToList();
        var first = coverage.Min(c => c.First);
        var last = coverage.Max(c => c.Last);
        var window = first is { } a && last is { } b ? $" covering {Timestamps.ToIso(a)} → {Timestamps.ToIso(b)}" : " (no timestamps)";
        var shortNote = first is { } x && last is { } y && y - x < TimeSpan.FromDays(1)
            ? $"; that window is shorter than a day ({Span(y - x)}), so it says nothing about any other time" : "";
        return $"Clean: no sign of exploitation in what was read ({string.Join(", ", kinds)}){window}{shortNote}{context}.";
    }

    private static string Span(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0} min" : $"{t.TotalSeconds:0} s";
}
