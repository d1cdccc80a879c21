using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Story;

namespace Exhunt.Reports;

/// <summary>The human report: the verdict in one sentence, what happened grouped by incident, coverage, problems.</summary>
public static class ConsoleReport
{
    private const int LocationsPerRule = 1;
    private const int OtherIncidentsShown = 8;

    public static void Write(ScanResult result, TextWriter o, Severity minSeverity = Severity.Info)
    {
        var e = TextEscape.ForTerminal;
        o.WriteLine($"exhunt {ToolVersion.Value}: {e(result.Root, 200)}  ({result.Artifacts.Count} files, {result.Bytes / 1048576.0:0.0} MiB, {result.Elapsed.TotalSeconds:0.0} s)");
        o.WriteLine();
        o.WriteLine($"VERDICT: {result.Story.Verdict.ToWire().ToUpperInvariant()}");
        o.WriteLine(e(result.Story.Sentence, 400));
        foreach (var line in StoryLines.ForConsole(result)) o.WriteLine(e(line, 600)); // story helper: stage and surge sentences

        var grouped = new HashSet<Finding>();
        var incidents = result.Story.Incidents.Where(i => i.Findings.Any(f => f.Severity >= minSeverity)).ToList();
        if (incidents.Count > 0)
        {
            // An Internet-facing server is probed all day: every compromise is told, the rest up to a screenful.
            var ordered = incidents.OrderByDescending(i => i.Verdict).ThenBy(i => i.First ?? DateTime.MaxValue).ToList();
            var shown = ordered.Where(i => i.Verdict == Verdict.Compromised)
                .Concat(ordered.Where(i => i.Verdict != Verdict.Compromised).Take(OtherIncidentsShown)).ToHashSet();
            var hidden = ordered.Where(i => !shown.Contains(i)).ToList();
            o.WriteLine();
            o.WriteLine("STORY");
            foreach (var incident in ordered.Where(shown.Contains))
            {
                var ips = incident.ClientIps.Where(ip => !IpAddresses.IsInternal(ip)).DefaultIfEmpty(incident.ClientIps.FirstOrDefault() ?? HostLabel(incident));
                o.WriteLine($"  {incident.Id} {incident.Verdict.ToWire()}: {string.Join(", ", ips.Take(3).Select(ip => e(ip, 60)))}, {Window(incident.First, incident.Last)}");
                foreach (var step in Narrative.Tell(incident, minSeverity))
                    o.WriteLine($"    {Short(step.Time)}  {step.Stage,-18} {e(step.Text, 150)}");
            }
            if (hidden.Count > 0)
            {
                var byVerdict = string.Join(", ", hidden.GroupBy(i => i.Verdict).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToWire()}"));
                o.WriteLine($"  ... and {hidden.Count} more incident(s) ({byVerdict}) from {hidden.SelectMany(i => i.ClientIps).Distinct().Count()} address(es); all are in --json and --csv");
            }
            grouped.UnionWith(hidden.SelectMany(i => i.Findings));
            o.WriteLine();
            o.WriteLine("EVIDENCE BY INCIDENT");
            foreach (var incident in incidents.Where(shown.Contains))
            {
                var ips = incident.ClientIps.ToList();
                var who = ips.Count > 0 ? "from " + string.Join(", ", ips.Take(5).Select(ip => e(ip, 60))) : HostLabel(incident);
                o.WriteLine($"  {incident.Id}  {who}  {Window(incident.First, incident.Last)}  [{incident.Verdict.ToWire()}; reached {incident.Stage}]");
                WriteRuleLines(o, incident.Findings.Where(f => f.Severity >= minSeverity).ToList(), "      ");
                grouped.UnionWith(incident.Findings);
            }
        }

        var rest = result.Findings.Where(f => !grouped.Contains(f) && f.Severity >= minSeverity).ToList();
        if (rest.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("CONTEXT (not evidence of exploitation by itself)");
            WriteRuleLines(o, rest, "      ");
        }

        o.WriteLine();
        o.WriteLine("COVERAGE (UTC)");
        if (result.Coverage.Count == 0) o.WriteLine("  no logs were found: a clean verdict here says nothing about exploitation");
        foreach (var c in result.Coverage)
            o.WriteLine($"  {c.Kind.ToWire(),-14} {c.Files,6} files {c.Records,12:N0} records   {Window(c.First, c.Last)}");
        var kinds = result.Artifacts.GroupBy(a => a.File.Kind).Where(g => !g.Key.IsLogKind()).OrderBy(g => g.Key)
            .Select(g => $"{g.Key.ToWire()} {g.Count()}");
        var otherKinds = string.Join(", ", kinds);
        o.WriteLine($"  other files: {(otherKinds.Length == 0 ? "none" : otherKinds)}");
        if (result.InstallRoots.Count > 0)
            o.WriteLine($"  Exchange installed at: {string.Join("; ", result.InstallRoots.Select(r => e(r.Length == 0 ? "(evidence root)" : r, 160)))}");

        if (result.Suppressed.Count > 0)
        {
            o.WriteLine();
            o.WriteLine($"NOT KEPT (more than {FindingSink.DefaultCap} findings of one rule and outcome; counted, not listed)");
            foreach (var s in result.Suppressed)
                o.WriteLine($"  {s.Rule} ({s.Outcome.ToWire()}): {s.Count:N0} more");
        }

        var problems = result.Artifacts.Where(a => a.Stats.Errors.Count > 0).ToList();
        if (problems.Count > 0 || result.ListingErrors.Count > 0)
        {
            o.WriteLine();
            o.WriteLine($"READ PROBLEMS ({problems.Count} files; lines skipped: {problems.Sum(p => p.Stats.Skipped):N0})");
            foreach (var err in result.ListingErrors.Take(10)) o.WriteLine($"  {e(err, 300)}");
            foreach (var p in problems.Take(20))
                o.WriteLine($"  {e(p.File.RelativePath, 120)}: {e(p.Stats.Errors[0], 200)}{(p.Stats.Errors.Count > 1 ? $" (+{p.Stats.Errors.Count - 1} more)" : "")}");
            if (problems.Count > 20) o.WriteLine($"  ... {problems.Count - 20} more files, see the JSON report");
        }
    }

    private static bool IsLogKind(this ArtifactKind k) => k.IsLog();

    private static void WriteRuleLines(TextWriter o, List<Finding> findings, string indent)
    {
        var e = TextEscape.ForTerminal;
        foreach (var group in findings.GroupBy(f => (f.Rule.Id, f.DisplayTitle)).OrderBy(g => g.Min(f => f.Time ?? DateTime.MaxValue)))
        {
            var list = group.ToList();
            var first = list[0];
            var outcomes = list.Select(f => f.Outcome).Distinct().Where(x => x != Outcome.Unknown).Select(x => x.ToWire());
            var outcome = string.Join("/", outcomes);
            var count = list.Count > 1 ? $" ×{list.Count}" : "";
            var cves = first.Rule.Cves.Length > 0 ? string.Join(",", first.Rule.Cves) + " " : "";
            o.WriteLine($"    {Short(first.Time)}  {list.Max(f => f.Severity).ToWire().ToUpperInvariant(),-8} {cves}{e(first.DisplayTitle, 140)}{count}{(outcome.Length > 0 ? $" ({outcome})" : "")}");
            foreach (var f in list.Take(LocationsPerRule))
            {
                var where = f.Line is { } l ? $":{l}" : f.Record is { } r ? $" record {r}" : "";
                var who = f.ClientIp is null ? "" : $"  {e(f.ClientIp, 60)}";
                o.WriteLine($"{indent}{e(f.Artifact, 100)}{where}{who}");
                if (f.Evidence is { } ev) o.WriteLine($"{indent}  {e(ev, 180)}");
            }
            if (list.Count > LocationsPerRule) o.WriteLine($"{indent}... and {list.Count - LocationsPerRule} more (see --json or --csv)");
        }
    }

    private static string HostLabel(Incident incident) => incident.First is null ? "files in the evidence" : "on the host";

    private static string Short(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd HH:mm:ss") : "       (no time)   ";

    private static string Window(DateTime? first, DateTime? last) =>
        first is null ? "(no timestamps)" : $"{Timestamps.ToIso(first.Value)} → {Timestamps.ToIso(last!.Value)}";
}
