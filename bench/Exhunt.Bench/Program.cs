using System.Diagnostics;
using Exhunt.Demo;

// exhunt benchmark helper.
//   generate --out DIR --gb N [--seed S] [--days D] [--layout kape|velociraptor|other-drive|flat|mixed-case]
//     writes about N GB of demo evidence (benign Exchange traffic plus the demo intrusion) for timing scans.
//   scan DIR | stages DIR    in-process timing of the scanner / of the text-log reading stages
//   floor DIR                read every file once and count line breaks: the .NET floor next to ripgrep
//   match DIR                the char prefilter (Latin-1 widening + SearchValues groups) against the byte block matcher
//   traffic DIR              web-log reading with and without the surge traffic counter (CPU, allocations)
//   evtx read|assemble ...   EVTX reader timing (bench/evtx-bench.sh)
return Bench.Run(args);

internal static class Bench
{
    // Bytes one front-end request costs on disk: its HttpProxy row (~1 KB) plus front- and back-end IIS lines,
    // measured on the demo set; used only to pick RequestsPerDay, the report prints the real size.
    private const double BytesPerRequest = 1720;

    /// <summary>Times the scanner in-process, so start-up and JIT can be told apart from steady throughput.</summary>
    private static int Scan(string dir, bool prefilter, bool block = true, bool ahead = true)
    {
        for (var run = 1; run <= 3; run++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var result = new Exhunt.Scanning.Scanner(new Exhunt.Scanning.ScanOptions { LinePrefilter = prefilter, BlockMatcher = block, SearchAheadFrom = ahead ? Exhunt.Detection.LogRuleRunner.DefaultSearchAheadFrom : long.MaxValue }).Scan(dir);
            clock.Stop();
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var records = result.Artifacts.Sum(a => a.Stats.Records);
            Console.WriteLine($"run {run}: {result.Bytes / 1e6:F0} MB, {records:N0} records in {clock.Elapsed.TotalSeconds:F2} s wall, {used.TotalSeconds:F2} s CPU: " +
                $"{result.Bytes / 1e6 / clock.Elapsed.TotalSeconds:F0} MB/s wall, {result.Bytes / 1e6 / used.TotalSeconds:F0} MB/s per CPU-second, {records / clock.Elapsed.TotalSeconds:N0} records/s; " +
                $"{result.Findings.Count} findings; GC gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, allocated {GC.GetTotalAllocatedBytes() / 1e6:F0} MB");
        }
        return 0;
    }

    /// <summary>Where reading time goes: lines only, lines + UTF-8 decode, the full text-log reader (single thread, warm).</summary>
    private static int Stages(string dir)
    {
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".log", StringComparison.OrdinalIgnoreCase)).ToList();
        var evidence = files.Select(f =>
        {
            var e = new Exhunt.Evidence.EvidenceFile(Path.GetRelativePath(dir, f).Replace('\\', '/'), new FileInfo(f).Length, null, () => File.OpenRead(f));
            var head = new byte[4096];
            using (var s = File.OpenRead(f)) head = head[..s.ReadAtLeast(head, head.Length, false)];
            Exhunt.Evidence.ArtifactClassifier.Classify(e, head);
            return e;
        }).ToList();
        var bytes = files.Sum(f => new FileInfo(f).Length);
        var chars = new char[1 << 21];
        for (var round = 0; round < 2; round++)
        {
            Time("lines", bytes, () =>
            {
                long n = 0;
                foreach (var f in files) { using var s = File.OpenRead(f); var lr = new Exhunt.Readers.LineReader(s); while (lr.Next(out var l) != Exhunt.Readers.LineReader.Result.End) n += l.Length; }
                return n;
            });
            Time("lines+decode", bytes, () =>
            {
                long n = 0;
                foreach (var f in files) { using var s = File.OpenRead(f); var lr = new Exhunt.Readers.LineReader(s); while (lr.Next(out var l) != Exhunt.Readers.LineReader.Result.End) n += System.Text.Encoding.UTF8.GetChars(l, chars); }
                return n;
            });
            Time("reader, no line wanted", bytes, () =>
            {
                long n = 0;
                foreach (var e in evidence) { using var s = e.Open(); new Exhunt.Readers.TextLogReader(e, new Exhunt.Readers.ReaderStats()).Read(s, r => n++, (_, _) => { }); }
                return n;
            });
            if (Environment.GetEnvironmentVariable("EXHUNT_NEEDLE_GROUP") is { } g) Exhunt.Detection.LinePrefilter.GroupSize = int.Parse(g);
            var rules = Exhunt.Detection.RuleSet.BuiltIn();
            Time("reader, prefilter", bytes, () =>
            {
                long n = 0;
                foreach (var e in evidence)
                {
                    var f = rules.LinePrefilterFor(e.Kind);
                    using var s = e.Open();
                    new Exhunt.Readers.TextLogReader(e, new Exhunt.Readers.ReaderStats()).Read(s, r => n++, f is null ? null : f.FindLines);
                }
                return n;
            });
            Time("reader, block matcher", bytes, () =>
            {
                long n = 0;
                foreach (var e in evidence)
                {
                    var lits = rules.LogRouteFor(e.Kind).Literals;
                    using var s = e.Open();
                    new Exhunt.Readers.TextLogReader(e, new Exhunt.Readers.ReaderStats()).Read(s, r => n++, blockFilter: lits is null ? null : lits.FindLines);
                }
                return n;
            });
            foreach (var block in new[] { false, true })
                Time(block ? "+traffic, block matcher" : "+traffic, prefilter", bytes, () =>
                {
                    long n = 0;
                    var traffic = new Exhunt.Story.Traffic();
                    foreach (var e in evidence)
                    {
                        var route = rules.LogRouteFor(e.Kind);
                        var counter = traffic.CounterFor(e);
                        using var s = e.Open();
                        new Exhunt.Readers.TextLogReader(e, new Exhunt.Readers.ReaderStats()).Read(s, r => n++,
                            block || route.Prefilter is null ? null : route.Prefilter.FindLines, counter is null ? null : counter.Observe,
                            blockFilter: block && route.Literals is { } l ? l.FindLines : null, everyRaw: block && counter is not null ? counter.ObserveRaw : null);
                        counter?.Complete();
                    }
                    return n;
                });
            Time("scan (rules, block)", bytes, () =>
            {
                var ctx = new Exhunt.Detection.ScanContext();
                foreach (var e in evidence) { using var s = e.Open(); Exhunt.Detection.LogRuleRunner.Run(rules, e, s, new Exhunt.Readers.ReaderStats(), ctx); }
                return ctx.Findings.Count;
            });
            Time("scan (rules, prefilter)", bytes, () =>
            {
                var ctx = new Exhunt.Detection.ScanContext();
                foreach (var e in evidence) { using var s = e.Open(); Exhunt.Detection.LogRuleRunner.Run(rules, e, s, new Exhunt.Readers.ReaderStats(), ctx, blockMatcher: false); }
                return ctx.Findings.Count;
            });
            Time("text-log reader", bytes, () =>
            {
                long n = 0;
                foreach (var e in evidence) { using var s = e.Open(); new Exhunt.Readers.TextLogReader(e, new Exhunt.Readers.ReaderStats()).Read(s, r => n++); }
                return n;
            });
        }
        return 0;
    }

    private static void Time(string name, long bytes, Func<long> work)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var n = work();
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine($"{name,-24} {clock.Elapsed.TotalSeconds:F2} s wall {used:F2} s CPU  {bytes / 1e6 / used:F0} MB per CPU-second  ({n:N0})");
    }

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "evtx") return Exhunt.Bench.EvtxBench.Run(args[1..]);
        if (args.Length >= 3 && args[0] == "sigma-web") return Exhunt.Bench.SigmaBench.Web(args[1..]);
        if (args.Length >= 3 && args[0] == "sigma-needles") return Exhunt.Bench.SigmaBench.Needles(args[1..]);
        if (args.Length > 0 && args[0] == "sigma") return Exhunt.Bench.SigmaBench.Run(args[1..]);
        if (args.Length is 2 or 3 && args[0] == "scan") return Scan(args[1], prefilter: args.Length == 2 || args[2] != "--no-prefilter", block: args.Length == 2 || args[2] != "--chars", ahead: args.Length == 2 || args[2] != "--no-ahead");
        if (args.Length == 2 && args[0] == "floor") return Exhunt.Bench.FloorBench.Run(args[1]);
        if (args.Length == 2 && args[0] == "match") return Exhunt.Bench.MatchBench.Run(args[1]);
        if (args.Length == 2 && args[0] == "stages") return Stages(args[1]);
        if (args.Length == 2 && args[0] == "traffic") return Exhunt.Bench.TrafficBench.Run(args[1]);
        if (args.Length >= 2 && args[0] == "pages") return Exhunt.Bench.PagesBench.Run(args[1..]);
        if (args.Length == 2 && args[0] == "needles") return Exhunt.Bench.NeedleBench.Run(args[1]);
        if (args.Length == 2 && args[0] == "block-needles") return Exhunt.Bench.BlockNeedleBench.Run(args[1]);
        if (args.Length == 0 || args[0] != "generate")
        {
            Console.Error.WriteLine("usage: Exhunt.Bench generate --out DIR --gb N [--seed S] [--days D] [--layout NAME]\n       Exhunt.Bench scan DIR [--no-prefilter]   (in-process, three runs: cold JIT then warm)\n       Exhunt.Bench evtx read|assemble ...   (see bench/evtx-bench.sh)");
            return 2;
        }
        string? outDir = null;
        double gb = 1;
        int seed = 20210303, days = 7;
        var layout = DemoLayout.Kape;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--out": outDir = args[i + 1]; break;
                case "--gb": gb = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[i + 1]); break;
                case "--days": days = int.Parse(args[i + 1]); break;
                case "--layout": layout = DemoLayout.All.Single(l => l.Name == args[i + 1]); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (outDir is null || gb <= 0 || days < 1) { Console.Error.WriteLine("--out DIR and --gb N > 0 are required"); return 2; }
        var perDay = (int)Math.Max(100, gb * 1e9 / BytesPerRequest / days);
        var clock = Stopwatch.StartNew();
        var manifest = DemoEvidence.Write(outDir, new DemoOptions { Days = days, RequestsPerDay = perDay, Seed = seed, Layout = layout });
        clock.Stop();
        var bytes = manifest.RelativePaths.Sum(p => new FileInfo(Path.Combine(outDir, p)).Length);
        Console.WriteLine($"wrote {manifest.RelativePaths.Count} files, {bytes / 1e6:F0} MB ({days} days x {perDay} requests/day) in {clock.Elapsed.TotalSeconds:F1} s = {bytes / 1e6 / clock.Elapsed.TotalSeconds:F0} MB/s to {outDir}");
        return 0;
    }
}
