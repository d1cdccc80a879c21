using System.Diagnostics;
using System.Text;
using Exhunt.Detection;
using Exhunt.Evidence;

namespace Exhunt.Bench;

/// <summary>
/// The line prefilter's search alone, per log kind, over the same whole files held in memory: the char path (Latin-1
/// widening of each 64 KiB block, then one SearchValues pass per group of 16 needles) against the byte block matcher
/// (one Teddy pass over the raw bytes). Single thread, three rounds; prints CPU seconds and lines found.
/// </summary>
public static class MatchBench
{
    public static int Run(string dir)
    {
        var rules = RuleSet.BuiltIn();
        var byKind = new Dictionary<ArtifactKind, List<byte[]>>();
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var file = new EvidenceFile(Path.GetRelativePath(dir, path).Replace('\\', '/'), new FileInfo(path).Length, null, () => File.OpenRead(path));
            var head = new byte[4096];
            using (var s = File.OpenRead(path)) head = head[..s.ReadAtLeast(head, head.Length, false)];
            ArtifactClassifier.Classify(file, head);
            if (!file.Kind.IsLog() || rules.LogRouteFor(file.Kind).Literals is null) continue;
            if (!byKind.TryGetValue(file.Kind, out var list)) byKind[file.Kind] = list = [];
            list.Add(File.ReadAllBytes(path));
        }
        const int Block = 64 * 1024;
        var chars = new char[Block];
        var hits = new List<int>();
        for (var round = 1; round <= 3; round++)
        {
            foreach (var (kind, files) in byKind.OrderBy(k => k.Key))
            {
                var route = rules.LogRouteFor(kind);
                long bytes = files.Sum(f => (long)f.Length), charHits = 0, byteHits = 0;
                var t0 = Process.GetCurrentProcess().TotalProcessorTime;
                foreach (var f in files)
                    for (var at = 0; at < f.Length; at += Block)
                    {
                        var block = f.AsSpan(at, Math.Min(Block, f.Length - at));
                        var n = Encoding.Latin1.GetChars(block, chars);
                        hits.Clear();
                        route.Prefilter!.FindLines(chars.AsSpan(0, n), hits);
                        charHits += hits.Count;
                    }
                var t1 = Process.GetCurrentProcess().TotalProcessorTime;
                foreach (var f in files)
                    for (var at = 0; at < f.Length; at += Block)
                    {
                        hits.Clear();
                        route.Literals!.FindLines(f.AsSpan(at, Math.Min(Block, f.Length - at)), hits);
                        byteHits += hits.Count;
                    }
                var t2 = Process.GetCurrentProcess().TotalProcessorTime;

                double c = (t1 - t0).TotalSeconds, b = (t2 - t1).TotalSeconds;
                Console.WriteLine($"round {round} {kind.ToWire(),-14} {bytes / 1e6,7:F0} MB {route.Prefilter!.Needles.Count,3} needles ({route.Literals!.Literals.Count} literals): " +
                    $"chars {c:F3} s ({bytes / 1e6 / Math.Max(c, 1e-6):F0} MB/s, {charHits:N0} hits)  bytes {b:F3} s ({bytes / 1e6 / Math.Max(b, 1e-6):F0} MB/s, {byteHits:N0} hits)");
            }
        }
        return 0;
    }
}
