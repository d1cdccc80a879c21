using System.Diagnostics;
using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;

namespace Exhunt.Bench;

/// <summary>
/// sigma RULES EVTX_DIR: Sigma matching cost on events already in memory (read once with our EVTX reader), single
/// thread, three runs: events/s with the rules vs a pass over the same events without them; load time separately.
/// </summary>
internal static class SigmaBench
{
    /// <summary>sigma-web RULES LOG_DIR: the scan's text-log path (<see cref="LogRuleRunner"/>, line prefilter on) over
    /// every web log of LOG_DIR, single thread, with the built-in rules only and with the Sigma rules added; three rounds each.</summary>
    public static int Web(string[] args)
    {
        var files = Directory.EnumerateFiles(args[1], "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".log", StringComparison.OrdinalIgnoreCase)).ToList();
        var evidence = files.Select(f =>
        {
            var e = new Exhunt.Evidence.EvidenceFile(Path.GetRelativePath(args[1], f).Replace('\\', '/'), new FileInfo(f).Length, null, () => File.OpenRead(f));
            var head = new byte[4096];
            using (var s = File.OpenRead(f)) head = head[..s.ReadAtLeast(head, head.Length, false)];
            Exhunt.Evidence.ArtifactClassifier.Classify(e, head);
            return e;
        }).Where(e => e.Kind is Exhunt.Evidence.ArtifactKind.Iis or Exhunt.Evidence.ArtifactKind.HttpProxy).ToList();
        var bytes = evidence.Sum(e => e.Length);
        var sigma = SigmaLoader.Load([args[0]]);
        Console.WriteLine($"{evidence.Count} web logs, {bytes / 1e6:F0} MB; Sigma: {sigma.Report.Loaded} rules loaded, {sigma.WebRuleCount} webserver rules, {sigma.WebRulesEveryLine} of them see every line");
        foreach (var path in sigma.WebEveryLinePaths) Console.WriteLine($"  every line: {Path.GetFileName(path)}");
        if (args.Contains("--rules"))
        {
            // Each webserver rule's raw-line needles, and how many lines of a sample hold each needle.
            var webRules = sigma.Compiled.Where(c => c.Target is LogTarget.WebLogs).ToList();
            var all = sigma.LineNeedles?.ToList() ?? [];
            var literals = new Exhunt.Matching.LineLiterals(all);
            var lineCount = new long[all.Count];
            long sampled = 0;
            var seen = new bool[all.Count];
            foreach (var e in evidence.Where(e => e.Kind == Exhunt.Evidence.ArtifactKind.Iis).Take(100))
                foreach (var line in File.ReadLines(Path.Combine(args[1], e.RelativePath)))
                {
                    sampled++;
                    Array.Clear(seen);
                    literals.Mark(System.Text.Encoding.Latin1.GetBytes(line), seen);
                    for (var i = 0; i < seen.Length; i++) if (seen[i]) lineCount[i]++;
                }
            var byNeedle = all.Select((n, i) => (n, lineCount[i])).ToDictionary(x => x.n, x => x.Item2, StringComparer.OrdinalIgnoreCase);
            foreach (var r in webRules)
            {
                var needles = SigmaRuleSet.WebNeedlesOf(r);
                Console.WriteLine($"{Path.GetFileName(r.Rule.Path)}: {needles?.Count} needles, lines {needles?.Sum(n => byNeedle.GetValueOrDefault(n)) * 100.0 / sampled:F2} %: {string.Join(" | ", needles?.Take(8) ?? [])}");
            }
            Console.WriteLine($"{all.Count} needles; sampled {sampled:N0} IIS lines");
            File.WriteAllLines(Path.Combine(Path.GetTempPath(), "sigma-web-needles.txt"), all);
            // The needles as they were before the reduction (each rule's raw-line literals, longest of an AND): to compare.
            File.WriteAllLines(Path.Combine(Path.GetTempPath(), "sigma-web-needles-unreduced.txt"), webRules
                .SelectMany(r => SigmaNeeds.Of(r.Node, StringMatcher.RawRun)?.Items.Select(i => i.Literal) ?? []).Distinct(StringComparer.OrdinalIgnoreCase));
            return 0;
        }
        if (args.Length > 2 && args[2] == "--profile")
        {
            var cost = new Dictionary<string, double>();
            var webRules = sigma.Compiled.Where(c => c.Target is LogTarget.WebLogs).ToList();
            long records = 0;
            foreach (var e in evidence.Take(200))
            {
                using var st = e.Open();
                new TextLogReader(e, new ReaderStats()).Read(st, r =>
                {
                    records++;
                    var view = LogRecordFields.Of(r);
                    foreach (var rule in webRules)
                    {
                        if (!((LogTarget.WebLogs)rule.Target).Kinds.Contains(r.Kind)) continue;
                        var t = Stopwatch.GetTimestamp();
                        rule.Node.Eval(view);
                        cost[rule.Rule.Path] = cost.GetValueOrDefault(rule.Rule.Path) + Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                    }
                });
            }
            foreach (var (path, ms) in cost.OrderByDescending(c => c.Value).Take(10)) Console.WriteLine($"  {ms:F0} ms {Path.GetFileName(path)}");
            Console.WriteLine($"{records:N0} records, {cost.Values.Sum():F0} ms in all");
            return 0;
        }
        foreach (var kind in new[] { Exhunt.Evidence.ArtifactKind.Iis, Exhunt.Evidence.ArtifactKind.HttpProxy })
        {
            var withSigma = sigma.AddTo(RuleSet.BuiltIn()).LinePrefilterFor(kind);
            var builtIn = RuleSet.BuiltIn().LinePrefilterFor(kind);
            long lines = 0, hitBuiltIn = 0, hitSigma = 0;
            foreach (var e in evidence.Where(e => e.Kind == kind).Take(100))
                foreach (var line in File.ReadLines(Path.Combine(args[1], e.RelativePath)))
                {
                    lines++;
                    if (builtIn?.Matches(line) == true) hitBuiltIn++;
                    if (withSigma?.Matches(line) == true) hitSigma++;
                }
            Console.WriteLine($"{kind}: {builtIn?.Needles.Count} built-in needles pass {hitBuiltIn * 100.0 / lines:F1} % of {lines:N0} lines; with Sigma {withSigma?.Needles.Count} needles pass {hitSigma * 100.0 / lines:F1} %");
            if (withSigma is not null && args.Contains("--needles"))
            {
                var counts = withSigma.Needles.ToDictionary(n => n, _ => 0L);
                foreach (var e in evidence.Where(e => e.Kind == kind).Take(30))
                    foreach (var line in File.ReadLines(Path.Combine(args[1], e.RelativePath)))
                        foreach (var n in withSigma.Needles) if (line.Contains(n, StringComparison.OrdinalIgnoreCase)) counts[n]++;
                Console.WriteLine("  " + string.Join(", ", counts.OrderByDescending(c => c.Value).Take(12).Select(c => $"{c.Key}={c.Value}")));
            }
        }
        if (args.Contains("--needles")) return 0;
        var asOne = RuleSet.BuiltIn();
        asOne.LogRules.Add(sigma);   // the registration before: all webserver rules as one log rule
        foreach (var (name, rules) in new[] { ("built-in only", RuleSet.BuiltIn()), ("built-in + Sigma", sigma.AddTo(RuleSet.BuiltIn())), ("Sigma as 1 rule", asOne) })
        {
            for (var round = 1; round <= 3; round++)
            {
                var ctx = new ScanContext();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                foreach (var e in evidence) { using var s = e.Open(); LogRuleRunner.Run(rules, e, s, new ReaderStats(), ctx); }
                var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                Console.WriteLine($"{name,-18} round {round}: {used:F2} CPU-s, {bytes / 1e6 / used:F0} MB per CPU-second, {ctx.Findings.Count} findings");
            }
        }
        return 0;
    }

    /// <summary>sigma-needles NEEDLE_FILE... LOG_DIR: the byte block search alone over the IIS logs of LOG_DIR (up to
    /// 150 MB, in memory, one thread, best of three), with the built-in IIS literals only and with each file's needles
    /// (one per line) added: CPU seconds and lines found. For choosing a needle set without rebuilding.</summary>
    public static int Needles(string[] args)
    {
        var dir = args[^1];
        var builtIn = RuleSet.BuiltIn().LogRouteFor(Exhunt.Evidence.ArtifactKind.Iis).Literals!.Literals;
        var files = new List<byte[]>();
        long total = 0;
        foreach (var f in Directory.EnumerateFiles(dir, "*.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var head = File.ReadAllBytes(f);
            var e = new Exhunt.Evidence.EvidenceFile(Path.GetRelativePath(dir, f), head.Length, null, () => new MemoryStream(head));
            Exhunt.Evidence.ArtifactClassifier.Classify(e, head.AsSpan(0, Math.Min(head.Length, 4096)));
            if (e.Kind != Exhunt.Evidence.ArtifactKind.Iis) continue;
            files.Add(head);
            if ((total += head.Length) > 150_000_000) break;
        }
        var sets = new List<(string Name, IReadOnlyList<string> Literals)> { ("built-in", builtIn) };
        foreach (var file in args[..^1])
            sets.Add((Path.GetFileName(file), builtIn.Concat(File.ReadAllLines(file).Where(l => l.Length > 0)).Distinct(StringComparer.OrdinalIgnoreCase).ToList()));
        const int Block = 64 * 1024;
        var hits = new List<int>();
        foreach (var (name, literals) in sets)
        {
            var matcher = new Exhunt.Matching.LineLiterals(literals);
            var best = double.MaxValue;
            long found = 0;
            for (var round = 0; round < 3; round++)
            {
                found = 0;
                var t0 = Process.GetCurrentProcess().TotalProcessorTime;
                foreach (var f in files)
                    for (var at = 0; at < f.Length; at += Block)
                    {
                        hits.Clear();
                        matcher.FindLines(f.AsSpan(at, Math.Min(Block, f.Length - at)), hits);
                        found += hits.Count;
                    }
                best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - t0).TotalSeconds);
            }
            Console.WriteLine($"{name,-20} {literals.Count,4} literals: {best:F3} CPU-s for {total / 1e6:F0} MB ({total / 1e6 / best:F0} MB/s), {found:N0} lines found");
        }
        return 0;
    }

    public static int Run(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var set = SigmaLoader.Load([args[0]]);
        var peakLoad = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine($"after load: managed heap {GC.GetTotalMemory(true) / 1e6:F0} MB live, peak working set so far {peakLoad / 1e6:F0} MB, allocated {GC.GetTotalAllocatedBytes() / 1e6:F0} MB");
        Console.WriteLine($"load: {set.Report.Loaded} rules, {set.Report.Rejected.Count} rejected, {set.Report.UnsupportedLogSource} unsupported in {clock.Elapsed.TotalSeconds:F2} s");
        var events = new List<WinEvent>();
        foreach (var f in Directory.EnumerateFiles(args[1], "*.evtx", SearchOption.AllDirectories))
        {
            try
            {
                using var s = File.OpenRead(f);
                EvtxReader.Read(s, new ReaderStats(), (e, _) => events.Add(e));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or EvtxFormatException) { }
        }
        Console.WriteLine($"events: {events.Count:N0}");
        var pf = set.EventPrefilter;
        Console.WriteLine($"prefilter: {pf.Gated.Count(g => g)} of {pf.Gated.Length} event rules gated by {pf.LiteralCount:N0} literals ({pf.AutomatonStates:N0} automaton states)");
        for (var run = 1; run <= 4; run++)
        {
            set.UseEventPrefilter = run != 4 || args.Contains("--with-prefilter-only");
            if (run == 4) Console.Write("prefilter off: ");
            var context = new ScanContext();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            var origin = new EventOrigin("bench", 0);
            foreach (var e in events) set.Inspect(e, origin, context);
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"run {run}: {events.Count / clock.Elapsed.TotalSeconds:N0} events/s wall, {events.Count / used.TotalSeconds:N0} events/s per CPU-second, {context.Findings.Snapshot().Count} findings");
        }
        set.UseEventPrefilter = true;
        if (!args.Contains("--profile")) return 0;
        var cost = new Dictionary<string, double>();
        foreach (var e in events)
        {
            var view = WinEventFields.Of(e);
            foreach (var r in set.RulesFor(e))
            {
                var t = Stopwatch.GetTimestamp();
                r.Node.Eval(view);
                var dt = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                cost[r.Rule.Path] = cost.GetValueOrDefault(r.Rule.Path) + dt;
            }
        }
        foreach (var (path, ms) in cost.OrderByDescending(c => c.Value).Take(8)) Console.WriteLine($"  {ms:F0} ms {Path.GetFileName(path)}");
        Console.WriteLine($"  total {cost.Values.Sum():F0} ms over {cost.Count} rules");
        var top = events.GroupBy(e => (e.Channel, e.EventId)).Select(g => (g.Key, g.Count(), set.RulesFor(g.First()).Length))
            .OrderByDescending(x => (long)x.Item2 * x.Item3).Take(5);
        foreach (var (key, n, rules) in top) Console.WriteLine($"  {key.Channel} {key.EventId}: {n:N0} events x {rules} rules");
        return 0;
    }
}
