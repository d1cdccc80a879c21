using Exhunt.Findings;

namespace Exhunt.Story;

/// <summary>An intrusion as the findings tell it: who (client IPs), when, which CVEs, how deep.</summary>
public sealed class Incident
{
    public string Id { get; set; } = "";
    public List<Finding> Findings { get; } = new();
    public DateTime? First => Findings.Min(f => f.Time);
    public DateTime? Last => Findings.Max(f => f.Time);
    public IEnumerable<string> ClientIps => Findings.Select(f => f.ClientIp).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase);
    public IEnumerable<string> Cves => Findings.SelectMany(f => f.Rule.Cves).Distinct().Order(StringComparer.Ordinal);
    public Verdict Verdict { get; set; }
    /// <summary>The deepest ATT&amp;CK tactic reached, in kill-chain order.</summary>
    public string Stage => Findings.Select(f => f.Rule.Tactic).OrderByDescending(Tactics.Rank).FirstOrDefault() ?? "";
}

public sealed record StoryResult(Verdict Verdict, string Sentence, IReadOnlyList<Incident> Incidents);

public static class Tactics
{
    private static readonly string[] Order =
    [
        "reconnaissance", "initial-access", "execution", "persistence", "privilege-escalation", "defense-evasion",
        "credential-access", "discovery", "lateral-movement", "collection", "command-and-control", "exfiltration", "impact",
    ];

    public static int Rank(string tactic) => Array.IndexOf(Order, tactic);
}

public static class StoryTeller
{
    /// <summary>Findings without a client IP join an incident whose window they fall in, give or take this.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromHours(2);

    public static StoryResult Tell(IReadOnlyList<Finding> findings)
    {
        var verdict = VerdictOf(findings);
        var incidents = Group(findings);
        foreach (var i in incidents) i.Verdict = VerdictOf(i.Findings, findings);
        return new StoryResult(verdict, Sentence(verdict, findings, incidents), incidents);
    }

    public static Verdict VerdictOf(IReadOnlyList<Finding> findings) => VerdictOf(findings, findings);

    private static Verdict VerdictOf(IReadOnlyList<Finding> subset, IReadOnlyList<Finding> all)
    {
        var exploitation = all.Any(f => Level(f, false) >= Proves.Attempt);
        var best = subset.Count == 0 ? (Proves?)null : subset.Max(f => Level(f, exploitation));
        return best switch
        {
            Proves.Compromise => Verdict.Compromised,
            Proves.Attempt => Verdict.Attempted,
            Proves.Weak => Verdict.Suspicious,
            _ => Verdict.Clean,
        };
    }

    private static Proves Level(Finding f, bool exploitationSeen)
    {
        var level = exploitationSeen && f.Rule.WithExploitation is { } w ? w : f.Rule.Implies;
        // A compromise rule whose log says the action failed proves only the attempt.
        if (level == Proves.Compromise && f.Outcome == Outcome.Failed) return Proves.Attempt;
        if (level == Proves.Attempt && f.Outcome == Outcome.Succeeded && f.Rule.Implies >= Proves.Attempt) return Proves.Compromise;
        return level;
    }

    private static List<Incident> Group(IReadOnlyList<Finding> findings)
    {
        var relevant = findings.Where(f => f.Rule.Implies > Proves.Context || f.Rule.WithExploitation is not null).ToList();
        var byIp = new Dictionary<string, Incident>(StringComparer.OrdinalIgnoreCase);
        var incidents = new List<Incident>();
        foreach (var f in relevant.Where(f => f.ClientIp is not null))
        {
            if (!byIp.TryGetValue(f.ClientIp!, out var incident)) { byIp[f.ClientIp!] = incident = new Incident(); incidents.Add(incident); }
            incident.Findings.Add(f);
        }
        var hostOnly = new List<Incident>();
        foreach (var f in relevant.Where(f => f.ClientIp is null))
        {
            // Host-side evidence (a cmdlet, a dump) belongs with the client that got in, not with scanner noise
            // in the same hours: prefer incidents with success, then the nearest in time.
            var home = f.Time is { } t
                ? incidents.Where(i => i.First is { } a && i.Last is { } b && t >= a - Slack && t <= b + Slack)
                    .OrderByDescending(i => i.Findings.Any(x => x.Outcome == Outcome.Succeeded || x.Rule.Implies == Proves.Compromise))
                    .ThenBy(i => Distance(t, i.First!.Value, i.Last!.Value))
                    .FirstOrDefault()
                : null;
            home ??= hostOnly.FirstOrDefault(i => f.Time is { } t2 && i.First is { } a && i.Last is { } b && t2 >= a - Slack && t2 <= b + Slack)
                ?? hostOnly.FirstOrDefault(i => f.Time is null && i.First is null);
            if (home is null) { home = new Incident(); hostOnly.Add(home); }
            home.Findings.Add(f);
        }
        incidents.AddRange(hostOnly);
        MergeInternalHops(incidents);
        var ordered = incidents.OrderBy(i => i.First is null).ThenBy(i => i.First).ToList();
        for (var n = 0; n < ordered.Count; n++) ordered[n].Id = "I" + (n + 1);
        return ordered;
    }

    /// <summary>
    /// Back-end logs (IIS W3SVC2, port 444) see the front-end server, not the client, as c-ip; internal addresses
    /// active in the hours of a successful outside intrusion are folded into it rather than told as a second intruder.
    /// </summary>
    private static void MergeInternalHops(List<Incident> incidents)
    {
        foreach (var inner in incidents.ToList())
        {
            var ips = inner.ClientIps.ToList();
            if (ips.Count == 0 || !ips.All(IpAddresses.IsInternal) || inner.First is not { } a || inner.Last is not { } b) continue;
            var outer = incidents
                .Where(o => o != inner && o.ClientIps.Any(ip => !IpAddresses.IsInternal(ip)) && o.First is { } oa && o.Last is { } ob
                    && a <= ob + Slack && b >= oa - Slack
                    && o.Findings.Any(x => x.Outcome == Outcome.Succeeded || x.Rule.Implies == Proves.Compromise))
                .OrderBy(o => Distance(a, o.First!.Value, o.Last!.Value))
                .FirstOrDefault();
            if (outer is null) continue;
            outer.Findings.AddRange(inner.Findings);
            incidents.Remove(inner);
        }
    }

    private static TimeSpan Distance(DateTime t, DateTime first, DateTime last) =>
        t < first ? first - t : t > last ? t - last : TimeSpan.Zero;

    private static string Sentence(Verdict verdict, IReadOnlyList<Finding> findings, IReadOnlyList<Incident> incidents)
    {
        if (verdict == Verdict.Clean)
            return findings.Count == 0
                ? "Clean: no sign of exploitation in the logs and files read."
                : $"Clean: no sign of exploitation; {findings.Count} context item(s) listed for review.";
        // Speak of the incidents that carry the verdict: a compromise is told by the intruder, not by the scanners.
        var telling = incidents.Where(i => i.Verdict == verdict).ToList();
        var told = telling.Count > 0 ? telling.SelectMany(i => i.Findings).ToList() : findings.ToList();
        var cves = told.SelectMany(f => f.Rule.Cves).Distinct().Order(StringComparer.Ordinal).ToList();
        var ips = telling.SelectMany(i => i.ClientIps).Where(ip => !IpAddresses.IsInternal(ip)).Distinct().Take(4).ToList();
        var first = told.Where(f => f.Rule.Implies >= Proves.Attempt).Min(f => f.Time);
        var what = verdict switch
        {
            Verdict.Compromised => "Compromised: exploitation succeeded",
            Verdict.Attempted => "Attempted: exploitation was tried, with no evidence that it succeeded",
            _ => "Suspicious: weaker signals only, no evidence of exploitation",
        };
        var parts = new List<string> { what };
        if (cves.Count > 0) parts.Add("via " + string.Join(", ", cves));
        if (ips.Count > 0) parts.Add("from " + string.Join(", ", ips));
        if (first is { } t) parts.Add("starting " + Readers.Timestamps.ToIso(t));
        var others = incidents.Count(i => i.Verdict < verdict && i.Verdict >= Verdict.Attempted);
        var sentence = string.Join(" ", parts) + ".";
        return others > 0 ? sentence + $" {others} other incident(s) were attempts only." : sentence;
    }
}
