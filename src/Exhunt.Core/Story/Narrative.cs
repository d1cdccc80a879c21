using Exhunt.Findings;

namespace Exhunt.Story;

/// <summary>
/// An incident told in a few lines: one line per stage of the intrusion (ATT&amp;CK tactic) in the order it was first
/// reached, naming the strongest evidence for it. The detailed findings follow in the reports.
/// </summary>
public static class Narrative
{
    private static readonly Dictionary<string, string> StageNames = new()
    {
        ["reconnaissance"] = "Reconnaissance",
        ["initial-access"] = "Got in",
        ["execution"] = "Ran commands",
        ["persistence"] = "Implanted",
        ["privilege-escalation"] = "Raised privileges",
        ["defense-evasion"] = "Covered tracks",
        ["credential-access"] = "Took credentials",
        ["discovery"] = "Looked around",
        ["lateral-movement"] = "Moved on",
        ["collection"] = "Collected data",
        ["command-and-control"] = "Kept control",
        ["exfiltration"] = "Took data out",
        ["impact"] = "Did damage",
    };

    public sealed record Step(DateTime? Time, string Stage, string Text);

    public static IReadOnlyList<Step> Tell(Incident incident, Severity minSeverity = Severity.Info) => incident.Findings
        .Where(f => f.Severity >= minSeverity)
        .GroupBy(f => f.Rule.Tactic)
        .Select(g =>
        {
            var best = g.OrderByDescending(f => Weight(f)).ThenBy(f => f.Time ?? DateTime.MaxValue).First();
            var others = g.Select(f => f.Rule.Id).Distinct().Count() - 1;
            var outcome = best.Outcome == Outcome.Unknown ? "" : $" ({best.Outcome.ToWire()})";
            var more = others > 0 ? $"; {others} more kind(s) of evidence" : "";
            return new Step(g.Min(f => f.Time), StageNames.GetValueOrDefault(g.Key, g.Key), best.DisplayTitle + outcome + more);
        })
        .OrderBy(s => s.Time ?? DateTime.MaxValue)
        .ToList();

    // The line a responder should read first: what proves most, succeeded before failed, then severity.
    private static int Weight(Finding f) =>
        (int)f.Rule.Implies * 100 + (f.Outcome == Outcome.Succeeded ? 50 : f.Outcome == Outcome.Failed ? 0 : 25) + (int)f.Severity;
}
