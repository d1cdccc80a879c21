using System.Text.Json;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Scanning;

namespace Exhunt.Story;

/// <summary>Where a recommendation comes from (Data/guidance/next-steps.json).</summary>
public sealed record GuidanceSource(string Id, string Title, string Url);

/// <summary>One concrete thing to do, for one host, tied to what was found (finding ids, paths, addresses).</summary>
public sealed record NextStep(string Host, string Key, string Text, GuidanceSource Source, IReadOnlyList<string> Items, IReadOnlyList<string> Findings);

/// <summary>The fixing update a scan knows for a host (from the exposure work, when it ran).</summary>
public sealed record ExposureFix(string Host, string Update, string? Kb, IReadOnlyList<string> Cves);

/// <summary>
/// What to do next, per host and verdict, from what was found: the texts and their Microsoft sources are data
/// (<c>Data/guidance/next-steps.json</c>); which apply, and the names filled in, come from the findings.
/// </summary>
public static class NextSteps
{
    private sealed record Fix(string[] Cves, string Update, string Kb, string Source);

    private static readonly Lazy<(Dictionary<string, GuidanceSource> Sources, List<Fix> Fixes, Dictionary<string, (string Text, string Source)> Steps)> Guidance = new(Load);

    private const int MaxItems = 12;

    public static IReadOnlyList<GuidanceSource> Sources => Guidance.Value.Sources.Values.ToList();

    /// <summary>Every host's steps, worst verdict first.</summary>
    public static IReadOnlyList<NextStep> For(ScanResult result, IReadOnlyList<SurgeWindow>? surges = null, IReadOnlyList<ExposureFix>? exposure = null)
    {
        surges ??= Surge.Surges(result);
        var hosts = result.Findings.Select(f => f.Host ?? HostName.Unknown)
            .Concat(surges.Select(s => s.Host))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (hosts.Count == 0) hosts.Add(result.Findings.Count == 0 ? "this server" : HostName.Unknown);
        var steps = new List<(Verdict, NextStep)>();
        foreach (var host in hosts)
        {
            var mine = result.Findings.Where(f => string.Equals(f.Host ?? HostName.Unknown, host, StringComparison.OrdinalIgnoreCase)).ToList();
            var verdict = mine.Count > 0 ? StoryTeller.VerdictOf(mine) : Verdict.Clean;
            if (result.Story.Verdict == Verdict.Inconclusive && verdict == Verdict.Clean) verdict = Verdict.Inconclusive;
            var hostSurges = surges.Where(s => string.Equals(s.Host, host, StringComparison.OrdinalIgnoreCase)).ToList();
            var fixes = exposure?.Where(e => string.Equals(e.Host, host, StringComparison.OrdinalIgnoreCase)).ToList();
            foreach (var s in For(host, verdict, mine, result.Coverage, hostSurges, fixes)) steps.Add((verdict, s));
        }
        return steps.OrderByDescending(s => s.Item1).Select(s => s.Item2).ToList();
    }

    /// <summary>The steps for one host: a pure function of its verdict, findings, coverage and surges.</summary>
    public static IReadOnlyList<NextStep> For(string host, Verdict verdict, IReadOnlyList<Finding> findings, IReadOnlyList<Coverage> coverage,
        IReadOnlyList<SurgeWindow>? surges = null, IReadOnlyList<ExposureFix>? exposure = null)
    {
        var list = new List<NextStep>();
        var stage = Stage.StageOf(findings, coverage, host: host);
        var compromised = verdict == Verdict.Compromised;
        if (verdict == Verdict.Inconclusive)
        {
            var read = coverage.Where(c => c.Records > 0).Select(c => c.Kind).ToHashSet();
            var missing = new List<string>();
            if (!read.Contains(ArtifactKind.Iis)) missing.Add("the IIS logs (inetpub\\logs\\LogFiles\\W3SVC1 and W3SVC2)");
            if (!read.Contains(ArtifactKind.HttpProxy)) missing.Add("the Exchange HttpProxy logs (Logging\\HttpProxy\\*)");
            if (!read.Contains(ArtifactKind.Evtx) && !read.Contains(ArtifactKind.EventJson)) missing.Add("the Application, Security, System and MSExchange Management event logs (.evtx)");
            if (!read.Contains(ArtifactKind.EcpServer)) missing.Add("the ECP server logs (Logging\\ECP\\Server)");
            if (!read.Contains(ArtifactKind.RpsCmdlet)) missing.Add("the PowerShell cmdlet logs (Logging\\CmdletInfra)");
            missing.Add("the web roots (FrontEnd\\HttpProxy\\owa\\auth, ecp\\auth, inetpub\\wwwroot\\aspnet_client)");
            list.Add(Step(host, "collect", missing, []));
        }
        if (compromised) list.Add(Step(host, "isolate", [], []));

        var cves = findings.Where(f => f.Rule.Implies >= Proves.Attempt).SelectMany(f => f.Rule.Cves).Distinct().Order(StringComparer.Ordinal).ToList();
        if (exposure is { Count: > 0 })
        {
            foreach (var e in exposure)
                list.Add(Step(host, "patch", [], [], ("update", e.Update), ("kb", e.Kb ?? "see the update guide"), ("cves", string.Join(", ", e.Cves))));
        }
        else if (cves.Count > 0)
        {
            var known = Guidance.Value.Fixes.Where(f => f.Cves.Intersect(cves).Any()).ToList();
            foreach (var fix in known)
                list.Add(Step(host, "patch", [], [], ("update", fix.Update), ("kb", fix.Kb), ("cves", string.Join(", ", fix.Cves.Intersect(cves)))));
            var unknown = cves.Where(c => !known.Any(k => k.Cves.Contains(c))).ToList();
            if (unknown.Count > 0) list.Add(Step(host, "patch-unknown", [], [], ("cves", string.Join(", ", unknown))));
        }

        var succeeded = findings.Where(f => Stage.SucceededIn(f, findings)).ToList();
        var shells = succeeded.Concat(findings.Where(f => f.Line is null && f.Record is null && f.Rule.Tactic == "persistence"))
            .Where(f => f.Rule.Tactic == "persistence" && IsFile(f)).Distinct().ToList();
        if (shells.Count > 0)
            list.Add(Step(host, "remove-shells", Paths(shells), Ids(shells)));
        var vdirs = succeeded.Where(f => f.Rule.Id.Contains("vdir", StringComparison.OrdinalIgnoreCase)).ToList();
        if (vdirs.Count > 0) list.Add(Step(host, "reset-vdirs", [], Ids(vdirs)));
        var execution = succeeded.Where(f => Stage.StepOf(f.Rule.Tactic) == StageStep.Execution).ToList();
        if (execution.Count > 0)
            list.Add(Step(host, "hunt-execution", [], Ids(execution), ("first", Iso(execution.Min(f => f.Time)))));
        var creds = succeeded.Where(f => f.Rule.Tactic == "credential-access").ToList();
        if (creds.Count > 0) list.Add(Step(host, "reset-credentials", [], Ids(creds)));
        var exports = findings.Where(f => f.Rule.Id.Contains("export", StringComparison.OrdinalIgnoreCase)
            || f.Rule.Id.Contains("role", StringComparison.OrdinalIgnoreCase)).ToList();
        if (exports.Count > 0) list.Add(Step(host, "review-exports", exports.Select(Item).Distinct().Take(MaxItems).ToList(), Ids(exports)));
        var staged = findings.Where(f => IsFile(f) && f.Rule.Tactic is "collection" or "credential-access").ToList();
        if (staged.Count > 0) list.Add(Step(host, "review-archives", Paths(staged), Ids(staged)));
        var exfil = succeeded.Where(f => f.Rule.Tactic == "exfiltration").ToList();
        if (exfil.Count > 0) list.Add(Step(host, "exfiltration", exfil.Select(Item).Distinct().Take(MaxItems).ToList(), Ids(exfil)));

        var attackers = findings.Where(f => f.Rule.Implies >= Proves.Attempt && f.ClientIp is { } ip && !IpAddresses.IsInternal(ip))
            .GroupBy(f => f.ClientIp!, StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(g => g.Any(f => Stage.SucceededIn(f, findings))).ThenByDescending(g => g.Count())
            .Select(g => g.Key).Take(MaxItems).ToList();
        if (attackers.Count > 0 && verdict >= Verdict.Attempted) list.Add(Step(host, "block-ips", attackers, []));
        if (verdict == Verdict.Attempted && stage.Step <= StageStep.Probed) list.Add(Step(host, "attempted", [], []));
        foreach (var s in surges ?? [])
            list.Add(Step(host, "surge", s.TopPaths.Select(p => p.Value).Take(3).ToList(), s.Attempts.Take(MaxItems).ToList(),
                ("first", Iso(s.Start)), ("last", Iso(s.End))));
        if (verdict == Verdict.Clean)
            list.Add(Step(host, "clean", coverage.Where(c => c.Records > 0).Select(c => Stage.KindName(c.Kind)).Distinct().ToList(), []));
        return list;
    }

    private static bool IsFile(Finding f) => f.Line is null && f.Record is null || f.Rule.Id.StartsWith("corr-implicated", StringComparison.Ordinal);

    private static List<string> Paths(IEnumerable<Finding> findings) =>
        findings.Select(f => f.Details?.GetValueOrDefault("path") ?? f.Artifact).Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxItems).ToList();

    private static List<string> Ids(IEnumerable<Finding> findings) => findings.Select(f => f.Id).Where(id => id.Length > 0).Distinct().Take(MaxItems).ToList();

    private static string Item(Finding f)
    {
        var text = f.Evidence ?? f.DisplayTitle;
        return text.Length > 160 ? text[..159] + "…" : text;
    }

    private static string Iso(DateTime? t) => t is { } v ? Readers.Timestamps.ToIso(v) : "the time of the intrusion";

    private static NextStep Step(string host, string key, IReadOnlyList<string> items, IReadOnlyList<string> findingIds, params (string Name, string Value)[] fill)
    {
        var (text, sourceId) = Guidance.Value.Steps[key];
        text = text.Replace("{host}", host).Replace("{items}", items.Count > 0 ? string.Join("; ", items) : "—");
        foreach (var (name, value) in fill) text = text.Replace("{" + name + "}", value);
        return new NextStep(host, key, text, Guidance.Value.Sources[sourceId], items, findingIds);
    }

    private static (Dictionary<string, GuidanceSource>, List<Fix>, Dictionary<string, (string, string)>) Load()
    {
        using var doc = JsonDocument.Parse(Data.DataFiles.ReadText("guidance/next-steps.json"));
        var root = doc.RootElement;
        var sources = root.GetProperty("sources").EnumerateObject()
            .ToDictionary(p => p.Name, p => new GuidanceSource(p.Name, p.Value.GetProperty("title").GetString()!, p.Value.GetProperty("url").GetString()!));
        var fixes = root.GetProperty("fixes").EnumerateArray().Select(f => new Fix(
            f.GetProperty("cves").EnumerateArray().Select(c => c.GetString()!).ToArray(),
            f.GetProperty("update").GetString()!, f.GetProperty("kb").GetString()!, f.GetProperty("source").GetString()!)).ToList();
        var steps = root.GetProperty("steps").EnumerateObject()
            .ToDictionary(p => p.Name, p => (p.Value.GetProperty("text").GetString()!, p.Value.GetProperty("source").GetString()!));
        return (sources, fixes, steps);
    }
}
