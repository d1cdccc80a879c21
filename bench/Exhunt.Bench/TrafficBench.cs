using System.Diagnostics;
using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Bench;

/// <summary>
/// `traffic DIR`: what the surge counter (Story/Traffic.cs) adds to web-log reading. Reads every IIS and HttpProxy log
/// of DIR with the built-in byte block matcher (the scan's path), once without the counter and once with it, single thread,
/// three rounds; prints CPU seconds and bytes allocated per pass.
/// </summary>
internal static class TrafficBench
{
    public static int Run(string dir)
    {
        var evidence = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".log", StringComparison.OrdinalIgnoreCase))
            .Select(f =>
            {
                var e = new EvidenceFile(Path.GetRelativePath(dir, f).Replace('\\', '/'), new FileInfo(f).Length, null, () => File.OpenRead(f));
                var head = new byte[4096];
                using (var s = File.OpenRead(f)) head = head[..s.ReadAtLeast(head, head.Length, false)];
                ArtifactClassifier.Classify(e, head);
                return e;
            })
            .Where(e => Story.Traffic.Counts(e.Kind)).ToList();
        var bytes = evidence.Sum(e => e.Length);
        var rules = RuleSet.BuiltIn();
        Console.WriteLine($"{evidence.Count} web logs, {bytes / 1e6:F0} MB");
        for (var round = 1; round <= 3; round++)
        {
            foreach (var count in new[] { false, true })
            {
                var traffic = new Story.Traffic();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                long records = 0;
                foreach (var e in evidence)
                {
                    var literals = rules.LogRouteFor(e.Kind).Literals;
                    var counter = count ? traffic.CounterFor(e) : null;
                    using var s = e.Open();
                    new TextLogReader(e, new ReaderStats()).Read(s, _ => records++, everyRecord: counter is null ? null : counter.Observe,
                        blockFilter: literals is null ? null : literals.FindLines, everyRaw: counter is null ? null : counter.ObserveRaw);
                    counter?.Complete();
                }
                var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var alloc = GC.GetAllocatedBytesForCurrentThread() - allocated;
                var hours = count ? traffic.PerHost().Sum(h => h.Hours.Count) : 0;
                Console.WriteLine($"round {round} counter {(count ? "on " : "off")}: {clock.Elapsed.TotalSeconds:F2} s wall, {used:F2} s CPU, " +
                    $"{alloc / 1e6:F1} MB allocated ({records:N0} wanted records, {hours} host-hours)");
            }
        }
        return 0;
    }
}
