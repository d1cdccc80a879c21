using Exhunt.Findings;

namespace Exhunt.Story;

/// <summary>
/// An incident told in a few lines: one line per stage of the intrusion (ATT&amp;CK tactic) in the order it was first
/// reached, naming the strongest evidence for it and the other kinds by name. A stage whose every step failed reads as a
/// try ("Tried to get in"); one with weak signals only, as a question ("Implanted?"), so no line claims more than the
/// verdict. The detailed findings follow in the reports.
/// </summary>
public static class Narrative
{
    private static readonly Dictionary<string, (string Done, string Tried)> StageNames = new()
    {
        ["reconnaissance"] = ("Reconnaissance", "Reconnaissance"),
        ["initial-access"] = ("Got in", "Tried to get in"),
        ["execution"] = ("Ran commands", "Tried to run commands"),
        ["persistence"] = ("Implanted", "Tried to implant"),
        ["privilege-escalation"] = ("Raised privileges", "Tried to raise privileges"),
        ["defense-evasion"] = ("Covered tracks", "Tried to cover tracks"),
        ["credential-access"] = ("Took credentials", "Tried to take credentials"),
        ["discovery"] = ("Looked around", "Tried to look around"),
        ["lateral-movement"] = ("Moved on", "Tried to move on"),
        ["collection"] = ("Collected data", "Tried to collect data"),
        ["command-and-control"] = ("Kept control", "Tried to keep control"),
        ["exfiltration"] = ("Took data out", "Tried to take data out"),
        ["impact"] = ("Did damage", "Tried to do damage"),
    };

    /// <summary>Other kinds of evidence named on a step line; beyond these, counted.</summary>
    private const int KindsNamed = 2;

    public sealed record Step(DateTime? Time, string Stage, string Text);

    public static IReadOnlyList<Step> Tell(Incident incident, Severity minSeverity = Severity.Info) => incident.Findings
        .Where(f => f.Severity >= minSeverity)
        .GroupBy(f => f.Rule.Tactic)
        .Select(g =>
        {
            var best = g.OrderByDescending(f => Weight(incident, f)).ThenBy(f => f.Time ?? DateTime.MaxValue).First();
            var reached = g.Any(incident.Reached);
            var top = g.Max(incident.LevelOf);
            var names = StageNames.TryGetValue(g.Key, out var n) ? n : (Done: g.Key, Tried: "Tried: " + g.Key);
            var stage = reached ? names.Done : top >= Proves.Attempt ? names.Tried : names.Done + "?";
            var count = g.Count(f => SameKind(f, best));
            var outcome = best.Outcome == Outcome.Unknown ? "" : $" ({best.Outcome.ToWire()})";
            var others = g.Where(f => !SameKind(f, best)).GroupBy(f => f.Rule.Id)
                .Select(k => (Title: k.OrderByDescending(f => Weight(incident, f)).First().Rule.Title, Count: k.Count()))
                .OrderByDescending(k => k.Count).ThenBy(k => k.Title, StringComparer.Ordinal).ToList();
            var more = others.Count == 0 ? ""
                : "; also " + string.Join("; ", others.Take(KindsNamed).Select(k => k.Title + (k.Count > 1 ? $" ×{k.Count}" : "")))
                  + (others.Count > KindsNamed ? $"; and {others.Count - KindsNamed} other kind(s)" : "");
            return new Step(g.Min(f => f.Time), stage, best.DisplayTitle + (count > 1 ? $" ×{count}" : "") + outcome + more);
        })
        .OrderBy(s => s.Time ?? DateTime.MaxValue)
        .ToList();

    private static bool SameKind(Finding a, Finding b) => a.Rule.Id == b.Rule.Id && a.DisplayTitle == b.DisplayTitle;

    // The line a responder should read first: what proves most, succeeded before failed, then severity.
    private static int Weight(Incident incident, Finding f) =>
        (int)incident.LevelOf(f) * 100 + (f.Outcome == Outcome.Succeeded ? 50 : f.Outcome == Outcome.Failed ? 0 : 25) + (int)f.Severity;
}
