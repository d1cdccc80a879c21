using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Scanning;

namespace Exhunt.Story;

/// <summary>The steps of an Exchange intrusion, shallow to deep, as responders tell them.</summary>
public enum StageStep { None, Probed, Exploited, Persistence, Execution, CredentialAccess, Collection, Exfiltration }

/// <summary>Which logs could show a step that was not seen, and whether any of them were read.</summary>
public sealed record NotSeen(StageStep Step, string Tactic, string What, IReadOnlyList<string> Kinds, bool Checked);

/// <summary>The logs a stage claim rests on: their kinds, window and record count.</summary>
public sealed record BackedBy(IReadOnlyList<string> Kinds, DateTime? First, DateTime? Last, long Records, IReadOnlyList<string> Findings);

/// <summary>
/// How deep an intrusion got — the deepest step that SUCCEEDED — and what was not seen, with the coverage that
/// backs the "not seen". JSON: <c>stage: {tactic, label, sentence, not_seen, backed_by}</c>.
/// </summary>
public sealed record StageReport(string? Host, StageStep Step, string Tactic, string Label, string Sentence,
    IReadOnlyList<NotSeen> NotSeen, BackedBy BackedBy);

public static class Stage
{
    private sealed record StepInfo(StageStep Step, string Tactic, string Label, string Missing, ArtifactKind[] Shows);

    private static readonly ArtifactKind[] WebLogs = [ArtifactKind.Iis, ArtifactKind.HttpProxy];
    private static readonly ArtifactKind[] Events = [ArtifactKind.Evtx, ArtifactKind.EventJson];

    private static readonly StepInfo[] Steps =
    [
        new(StageStep.None, "none", "no exploitation seen", "", []),
        new(StageStep.Probed, "reconnaissance", "probed only", "exploitation attempts", [.. WebLogs]),
        new(StageStep.Exploited, "initial-access", "exploited, nothing after (preparation stage)", "a successful exploitation",
            [.. WebLogs, ArtifactKind.EcpServer, ArtifactKind.RpsHttp, ArtifactKind.RpsCmdlet, .. Events]),
        new(StageStep.Persistence, "persistence", "persistence: a web shell planted", "a web shell planted",
            [.. WebLogs, ArtifactKind.EcpServer, ArtifactKind.OabGenerator, ArtifactKind.RpsCmdlet, .. Events]),
        new(StageStep.Execution, "execution", "execution: commands run through it", "commands run through a shell",
            [ArtifactKind.Iis, .. Events]),
        new(StageStep.CredentialAccess, "credential-access", "credential access: LSASS touched", "credential theft (LSASS)",
            [.. Events]),
        new(StageStep.Collection, "collection", "collection and staging: exports, archives", "mailbox exports or archives staged",
            [ArtifactKind.RpsCmdlet, ArtifactKind.EcpServer, .. Events]),
        new(StageStep.Exfiltration, "exfiltration", "exfiltration: staged files downloaded", "staged files taken out",
            [.. WebLogs]),
    ];

    /// <summary>Which step an ATT&amp;CK tactic reaches when it succeeds.</summary>
    public static StageStep StepOf(string tactic) => tactic switch
    {
        "reconnaissance" => StageStep.Probed,
        "initial-access" => StageStep.Exploited,
        "persistence" => StageStep.Persistence,
        "execution" or "privilege-escalation" or "defense-evasion" or "discovery" or "command-and-control" or "lateral-movement" => StageStep.Execution,
        "credential-access" => StageStep.CredentialAccess,
        "collection" => StageStep.Collection,
        "exfiltration" or "impact" => StageStep.Exfiltration,
        _ => StageStep.None,
    };

    public static string TacticOf(StageStep step) => Steps[(int)step].Tactic;
    public static string LabelOf(StageStep step) => Steps[(int)step].Label;

    /// <summary>
    /// The stage of one set of findings (an incident, a host, a scan). <paramref name="context"/>: the findings that
    /// decide whether exploitation was seen (the host's, for an incident); defaults to <paramref name="findings"/>.
    /// <paramref name="coverage"/>: the logs read for the same scope.
    /// </summary>
    public static StageReport StageOf(IReadOnlyList<Finding> findings, IReadOnlyList<Coverage> coverage,
        IReadOnlyList<Finding>? context = null, string? host = null)
    {
        context ??= findings;
        var succeeded = findings.Where(f => SucceededIn(f, context)).ToList();
        var deepest = succeeded.Count == 0 ? StageStep.None : succeeded.Max(f => StepOf(f.Rule.Tactic));
        if (deepest < StageStep.Exploited && findings.Any(f => f.Rule.Implies >= Proves.Attempt))
            deepest = StageStep.Probed;

        var read = coverage.Where(c => c.Records > 0).ToList();
        var notSeen = new List<NotSeen>();
        if (deepest >= StageStep.Probed)
        {
            for (var s = deepest + 1; s <= StageStep.Exfiltration; s++)
            {
                var info = Steps[(int)s];
                var kinds = read.Where(c => info.Shows.Contains(c.Kind)).Select(c => KindName(c.Kind)).Distinct().ToList();
                notSeen.Add(new NotSeen(s, info.Tactic, info.Missing, kinds, kinds.Count > 0));
            }
        }
        var evidence = succeeded.Where(f => StepOf(f.Rule.Tactic) == deepest).Select(f => f.Id).Where(id => id.Length > 0).ToList();
        if (deepest == StageStep.Probed)
            evidence = findings.Where(f => f.Rule.Implies >= Proves.Attempt).Select(f => f.Id).Where(id => id.Length > 0).Take(20).ToList();
        var backed = new BackedBy(
            read.Select(c => KindName(c.Kind)).Distinct().ToList(),
            read.Min(c => c.First), read.Max(c => c.Last), read.Sum(c => c.Records), evidence);
        var step = Steps[(int)deepest];
        return new StageReport(host, deepest, step.Tactic, step.Label, Sentence(deepest, notSeen, backed, findings, succeeded), notSeen, backed);
    }

    /// <summary>The stage per host (findings grouped by <see cref="Finding.Host"/>), deepest first.</summary>
    public static IReadOnlyList<StageReport> PerHost(ScanResult result) => result.Findings
        .GroupBy(f => f.Host ?? HostName.Unknown, StringComparer.OrdinalIgnoreCase)
        .Select(g => StageOf(g.ToList(), CoverageOf(result, g.Key), host: g.Key))
        .OrderByDescending(s => s.Step).ThenBy(s => s.Host, StringComparer.OrdinalIgnoreCase)
        .ToList();

    /// <summary>The coverage windows of one host's logs (a claim about a host rests on its own logs), else the scan's.</summary>
    private static IReadOnlyList<Coverage> CoverageOf(ScanResult result, string host)
    {
        var own = result.Artifacts.Where(a => a.File.Kind.IsLog() && string.Equals(a.Host, host, StringComparison.OrdinalIgnoreCase))
            .GroupBy(a => a.File.Kind).OrderBy(g => g.Key)
            .Select(g => new Coverage(g.Key, g.Min(a => a.Stats.First), g.Max(a => a.Stats.Last), g.Count(), g.Sum(a => a.Stats.Records)))
            .ToList();
        return own.Count > 0 ? own : result.Coverage;
    }

    /// <summary>The scan's stage: the deepest host's (or the scan's own when no finding names a host).</summary>
    public static StageReport StageOf(ScanResult result)
    {
        var hosts = PerHost(result);
        return hosts.Count == 0 ? StageOf(result.Findings, result.Coverage) : hosts[0];
    }

    /// <summary>The stage of one incident, judged with its host's findings as context.</summary>
    public static StageReport StageOf(Incident incident, ScanResult result)
    {
        var host = incident.Findings.Select(f => f.Host).FirstOrDefault(h => h is not null);
        var context = result.Findings.Where(f => string.Equals(f.Host, host, StringComparison.OrdinalIgnoreCase)).ToList();
        return StageOf(incident.Findings, host is null ? result.Coverage : CoverageOf(result, host), context, host);
    }

    /// <summary>Whether a finding shows a step that succeeded, with <paramref name="context"/> (its host's findings)
    /// deciding whether exploitation was seen.
    /// A later step whose own log says it succeeded (a cmdlet that ran) counts once exploitation succeeded there.</summary>
    public static bool SucceededIn(Finding f, IReadOnlyList<Finding> context)
    {
        var seen = context.Any(x => x.Rule.Implies >= Proves.Attempt);
        if (Succeeded(f, seen)) return true;
        return f.Outcome == Outcome.Succeeded && f.Rule.Implies >= Proves.Weak && StepOf(f.Rule.Tactic) > StageStep.Exploited
            && context.Any(x => StepOf(x.Rule.Tactic) <= StageStep.Exploited && x.Rule.Implies >= Proves.Attempt && Succeeded(x, seen));
    }

    /// <summary>The same rule as the verdict: proven compromise (an attempt that succeeded, an after-effect, or
    /// context next to exploitation), and never a step whose log says it failed.</summary>
    private static bool Succeeded(Finding f, bool exploitationSeen)
    {
        if (f.Outcome == Outcome.Failed) return false;
        var level = exploitationSeen && f.Rule.WithExploitation is { } w ? w : f.Rule.Implies;
        if (level == Proves.Compromise) return true;
        return level == Proves.Attempt && f.Outcome == Outcome.Succeeded && f.Rule.Implies >= Proves.Attempt;
    }

    public static string KindName(ArtifactKind kind) => kind switch
    {
        ArtifactKind.Iis => "IIS logs",
        ArtifactKind.HttpProxy => "HttpProxy logs",
        ArtifactKind.EcpServer => "ECP server logs",
        ArtifactKind.EcpActivity => "ECP activity logs",
        ArtifactKind.OabGenerator => "OAB generator logs",
        ArtifactKind.RpsCmdlet => "PowerShell cmdlet logs",
        ArtifactKind.RpsHttp => "PowerShell HTTP logs",
        ArtifactKind.Evtx or ArtifactKind.EventJson => "event logs",
        _ => kind.ToWire(),
    };

    private static string Sentence(StageStep deepest, List<NotSeen> notSeen, BackedBy backed, IReadOnlyList<Finding> findings, List<Finding> succeeded)
    {
        var head = deepest switch
        {
            StageStep.None => "No exploitation seen",
            StageStep.Probed => $"Probed only: {findings.Count(f => f.Rule.Implies >= Proves.Attempt)} exploitation attempt(s), none shown to succeed",
            StageStep.Exploited => "Exploited, with nothing after it: the intruders remained in the preparation stage",
            _ => "Reached " + Steps[(int)deepest].Label,
        };
        if (backed.Findings.Count > 0 && deepest >= StageStep.Exploited) head += $" ({string.Join(", ", backed.Findings.Take(5))})";
        var parts = new List<string> { head };
        var checkedSteps = notSeen.Where(n => n.Checked).ToList();
        if (checkedSteps.Count > 0)
        {
            var kinds = checkedSteps.SelectMany(n => n.Kinds).Distinct().ToList();
            var window = backed.First is { } a && backed.Last is { } b
                ? $" covering {Readers.Timestamps.ToIso(a)} → {Readers.Timestamps.ToIso(b)}" : "";
            parts.Add($"no sign of {Join(checkedSteps.Select(n => n.What).ToList())} in the {Join(kinds, "and")}{window}");
        }
        var unchecked_ = notSeen.Where(n => !n.Checked).ToList();
        if (unchecked_.Count > 0)
            parts.Add($"not checked for lack of logs: {Join(unchecked_.Select(n => n.What).ToList())} (collect {Join(unchecked_.SelectMany(n => Steps[(int)n.Step].Shows).Select(KindName).Distinct().ToList())})");
        return string.Join("; ", parts) + ".";
    }

    private static string Join(IReadOnlyList<string> items, string last = "or") => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + $" {last} " + items[^1],
    };
}
