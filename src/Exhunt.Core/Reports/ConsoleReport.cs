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
    private const int HostsShown = 12;

    public static void Write(ScanResult result, TextWriter o, Severity minSeverity = Severity.Info)
    {
        var e = TextEscape.ForTerminal;
        o.WriteLine($"exhunt {ToolVersion.Value}: {e(result.Root, 200)}  ({result.Artifacts.Count} files, {result.Bytes / 1048576.0:0.0} MiB, {result.Elapsed.TotalSeconds:0.0} s)");
        o.WriteLine();
        o.WriteLine($"VERDICT: {result.Story.Verdict.ToWire().ToUpperInvariant()}");
        o.WriteLine(e(result.Story.Sentence, 900));
        foreach (var line in StoryLines.ForConsole(result)) o.WriteLine(e(line, 600));
        ExposureConsole.Write(result.Exposure, o);

        var story = result.Story;
        var hosts = story.Hosts;
        if (hosts.Count > 1)
        {
            o.WriteLine();
            o.WriteLine($"HOSTS ({hosts.Count}; Exchange hosts first)");
            foreach (var h in hosts.Take(HostsShown))
                o.WriteLine($"  {e(h.Host, 40),-20} {h.Verdict.ToWire().ToUpperInvariant(),-13} {(h.Exchange ? "Exchange" : "-"),-9} {Window(h.First, h.Last)}");
            if (hosts.Count > HostsShown)
                o.WriteLine($"  ... and {hosts.Count - HostsShown} more host(s) ({string.Join(", ", hosts.Skip(HostsShown).GroupBy(h => h.Verdict).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToWire()}"))}); all are in --json");
        }

        // The answer is about Exchange: when the evidence shows Exchange hosts, their incidents are told in full and
        // the other hosts are summarised (all findings stay in --json and --csv).
        var exchangeHosts = hosts.Where(h => h.Exchange).Select(h => h.Host).ToHashSet(StringComparer.Ordinal);
        bool InFocus(string host) => exchangeHosts.Count == 0 || exchangeHosts.Contains(host);
        var grouped = new HashSet<Finding>();
        var incidents = story.Incidents.Where(i => i.Findings.Any(f => f.Severity >= minSeverity)).ToList();
        var focus = incidents.Where(i => InFocus(i.Host)).ToList();
        var aside = incidents.Where(i => !InFocus(i.Host)).ToList();
        var multiHost = hosts.Count > 1;
        if (incidents.Count > 0)
        {
            // An Internet-facing server is probed all day: every compromise is told, the rest up to a screenful.
            var ordered = focus.OrderByDescending(i => i.Verdict).ThenBy(i => i.First ?? DateTime.MaxValue).ToList();
            var shown = ordered.Where(i => i.Verdict == Verdict.Compromised)
                .Concat(ordered.Where(i => i.Verdict != Verdict.Compromised).Take(OtherIncidentsShown)).ToHashSet();
            var hidden = ordered.Where(i => !shown.Contains(i)).ToList();
            o.WriteLine();
            o.WriteLine("STORY");
            foreach (var incident in ordered.Where(shown.Contains))
            {
                var ips = incident.ClientIps.Where(ip => !IpAddresses.IsInternal(ip)).DefaultIfEmpty(incident.ClientIps.FirstOrDefault() ?? HostLabel(incident));
                var on = multiHost ? $" on {e(incident.Host, 40)}" : "";
                o.WriteLine($"  {incident.Id} {incident.Verdict.ToWire()}{on}: {string.Join(", ", ips.Take(3).Select(ip => e(ip, 60)))}, {Window(incident.First, incident.Last)}");
                foreach (var step in Narrative.Tell(incident, minSeverity))
                    o.WriteLine($"    {Short(step.Time)}  {step.Stage,-18} {e(step.Text, 220)}");
            }
            if (hidden.Count > 0)
            {
                var byVerdict = string.Join(", ", hidden.GroupBy(i => i.Verdict).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToWire()}"));
                o.WriteLine($"  ... and {hidden.Count} more incident(s) ({byVerdict}) from {hidden.SelectMany(i => i.ClientIps).Distinct().Count()} address(es); all are in --json and --csv");
            }
            if (aside.Count > 0)
                o.WriteLine($"  not Exchange hosts: {string.Join("; ", aside.GroupBy(i => i.Host).OrderByDescending(g => g.Max(i => i.Verdict)).ThenBy(g => g.Key, StringComparer.Ordinal).Take(6).Select(g => $"{e(g.Key, 40)} {g.Count()} incident(s), {g.Max(i => i.Verdict).ToWire()}"))}{(aside.Select(i => i.Host).Distinct().Count() > 6 ? "; ..." : "")} (see --json)");
            grouped.UnionWith(hidden.SelectMany(i => i.Findings));
            grouped.UnionWith(aside.SelectMany(i => i.Findings));
            if (shown.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("EVIDENCE BY INCIDENT");
            }
            foreach (var incident in focus.Where(shown.Contains))
            {
                var ips = incident.ClientIps.ToList();
                var who = ips.Count > 0 ? "from " + string.Join(", ", ips.Take(5).Select(ip => e(ip, 60))) : HostLabel(incident);
                var on = multiHost ? $"on {e(incident.Host, 40)}  " : "";
                var depth = incident.ReachedStage is { } reached ? $"reached {reached}"
                    : incident.Findings.Any(f => incident.LevelOf(f) >= Proves.Attempt) ? $"tried {incident.Stage}" : $"signs of {incident.Stage}";
                o.WriteLine($"  {incident.Id}  {on}{who}  {Window(incident.First, incident.Last)}  [{incident.Verdict.ToWire()}; {depth}]");
                WriteRuleLines(o, incident.Findings.Where(f => f.Severity >= minSeverity).ToList(), "      ", multiHost);
                grouped.UnionWith(incident.Findings);
            }
        }

        var rest = result.Findings.Where(f => !grouped.Contains(f) && f.Severity >= minSeverity).ToList();
        var restFocus = rest.Where(f => InFocus(f.Host ?? HostName.Unknown)).ToList();
        var restAside = rest.Where(f => !InFocus(f.Host ?? HostName.Unknown)).ToList();
        if (rest.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("CONTEXT (not evidence of exploitation by itself)");
            WriteRuleLines(o, restFocus, "      ", multiHost);
            foreach (var g in restAside.GroupBy(f => f.Host ?? HostName.Unknown).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(HostsShown))
            {
                var ruleKinds = g.GroupBy(f => f.Rule.Title).OrderByDescending(k => k.Count()).ThenBy(k => k.Key, StringComparer.Ordinal)
                    .Select(k => k.Count() > 1 ? $"{k.Key} ×{k.Count()}" : k.Key).ToList();
                o.WriteLine($"    {e(g.Key, 40)} (not Exchange): {string.Join("; ", ruleKinds.Take(3).Select(k => e(k, 80)))}{(ruleKinds.Count > 3 ? $"; {ruleKinds.Count - 3} other kind(s)" : "")}");
            }
            var asideHosts = restAside.Select(f => f.Host).Distinct().Count();
            if (asideHosts > HostsShown) o.WriteLine($"    ... and {asideHosts - HostsShown} more host(s) not showing Exchange (see --json)");
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
        const int ContainersShown = 10;
        foreach (var c in result.Containers.OrderBy(c => c.Problem is null).Take(ContainersShown))
            o.WriteLine(c.Problem is null
                ? $"  container {e(c.Path, 120)} ({c.Kind}{(HostName.Normalize(c.Host) is { } ch ? ", host " + e(ch, 40) : "")}): {c.Files} file(s) read"
                : $"  container {e(c.Path, 120)} ({c.Kind}): NOT READ: {e(c.Problem, 200)}");
        if (result.Containers.Count > ContainersShown)
            o.WriteLine($"  ... {result.Containers.Count - ContainersShown} more container(s) ({result.Containers.Count(c => c.Problem is not null)} not read in all), see --json");
        if (result.InstallRoots.Count > 0)
            o.WriteLine($"  Exchange installed at: {string.Join("; ", result.InstallRoots.Select(r => e(r.Length == 0 ? "(evidence root)" : r, 160)))}");

        SigmaReportSection.WriteConsole(o, result.Sigma);

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

    /// <summary>One line per host, rule and title with a count (166 log clears are one line per host and log).</summary>
    private static void WriteRuleLines(TextWriter o, List<Finding> findings, string indent, bool multiHost = false)
    {
        var e = TextEscape.ForTerminal;
        foreach (var group in findings.GroupBy(f => (f.Host, f.Rule.Id, f.DisplayTitle)).OrderBy(g => g.Min(f => f.Time ?? DateTime.MaxValue)))
        {
            var list = group.ToList();
            var first = list[0];
            var outcomes = list.Select(f => f.Outcome).Distinct().Where(x => x != Outcome.Unknown).Select(x => x.ToWire());
            var outcome = string.Join("/", outcomes);
            var count = list.Count > 1 ? $" ×{list.Count}" : "";
            var cves = first.Rule.Cves.Length > 0 ? string.Join(",", first.Rule.Cves) + " " : "";
            var on = multiHost ? $" [{e(first.Host ?? HostName.Unknown, 40)}]" : "";
            o.WriteLine($"    {Short(first.Time)}  {list.Max(f => f.Severity).ToWire().ToUpperInvariant(),-8} {cves}{e(first.DisplayTitle, 140)}{count}{(outcome.Length > 0 ? $" ({outcome})" : "")}{on}");
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

    private static string HostLabel(Incident incident) => incident.First is null ? "files in the evidence" : "host-side evidence";

    private static string Short(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd HH:mm:ss") : "       (no time)   ";

    private static string Window(DateTime? first, DateTime? last) =>
        first is null ? "(no timestamps)" : $"{Timestamps.ToIso(first.Value)} → {Timestamps.ToIso(last!.Value)}";
}
