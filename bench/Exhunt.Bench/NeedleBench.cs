using System.Buffers;
using System.Diagnostics;
using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Bench;

/// <summary>
/// How selective and how fast the line prefilter is: per kind, the share of lines that pass the union of the rules'
/// needles and the time the search takes; per rule, how many lines hold one of its own needles.
/// </summary>
public static class NeedleBench
{
    public static int Run(string dir)
    {
        if (Environment.GetEnvironmentVariable("EXHUNT_NEEDLE_GROUP") is { } g) LinePrefilter.GroupSize = int.Parse(g);
        var rules = RuleSet.BuiltIn();
        var chars = new char[1 << 21];
        var perKind = new Dictionary<ArtifactKind, (long Lines, long Passed, long Bytes, double Seconds)>();
        var perRule = new Dictionary<(ArtifactKind, string), long>();
        var ruleTime = new Dictionary<(ArtifactKind, string), (long Bytes, double Seconds)>();
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var file = new EvidenceFile(Path.GetRelativePath(dir, path).Replace('\\', '/'), new FileInfo(path).Length, null, () => File.OpenRead(path));
            var head = new byte[4096];
            using (var s = File.OpenRead(path)) head = head[..s.ReadAtLeast(head, head.Length, false)];
            ArtifactClassifier.Classify(file, head);
            if (!file.Kind.IsLog()) continue;
            var filter = rules.LinePrefilterFor(file.Kind);
            if (filter is null) continue;
            var ruleFilters = rules.LogRulesFor(file.Kind).Select(r => (r.GetType().Name, new LinePrefilter(r.LineNeedles!))).ToArray();
            perKind.TryGetValue(file.Kind, out var k);
            using var stream = File.OpenRead(path);
            var lines = new LineReader(stream);
            var clock = new Stopwatch();
            while (lines.Next(out var bytes) == LineReader.Result.Line)
            {
                if (bytes.IsEmpty || bytes[0] == '#') continue;
                var n = System.Text.Encoding.UTF8.GetChars(bytes, chars);
                var raw = chars.AsSpan(0, n);
                clock.Start();
                var pass = filter.Matches(raw);
                clock.Stop();
                k.Lines++;
                k.Bytes += bytes.Length;
                foreach (var (name, f) in ruleFilters)
                {
                    var t = Stopwatch.GetTimestamp();
                    var hit = f.Matches(raw);
                    var rt = ruleTime.GetValueOrDefault((file.Kind, name));
                    ruleTime[(file.Kind, name)] = (rt.Bytes + bytes.Length, rt.Seconds + Stopwatch.GetElapsedTime(t).TotalSeconds);
                    if (hit) perRule[(file.Kind, name)] = perRule.GetValueOrDefault((file.Kind, name)) + 1;
                }
                if (!pass) continue;
                k.Passed++;
            }
            k.Seconds += clock.Elapsed.TotalSeconds;
            perKind[file.Kind] = k;
        }
        foreach (var (kind, k) in perKind.OrderBy(p => p.Key))
            Console.WriteLine($"{kind.ToWire(),-14} {k.Lines,10:N0} lines, {k.Passed,9:N0} pass ({100.0 * k.Passed / Math.Max(1, k.Lines):F2} %), search {k.Bytes / 1e6 / Math.Max(1e-9, k.Seconds):F0} MB/s");
        foreach (var ((kind, name), n) in perRule.OrderBy(p => p.Key.Item1).ThenByDescending(p => p.Value))
            Console.WriteLine($"  {kind.ToWire(),-14} {name,-36} {n,10:N0} lines hold a needle; search {ruleTime[(kind, name)].Bytes / 1e6 / ruleTime[(kind, name)].Seconds:F0} MB/s");
        return 0;
    }
}

/// <summary>Block search speed of each rule's needles and of the union, over whole files widened to chars.</summary>
public static class BlockNeedleBench
{
    public static int Run(string dir)
    {
        var rules = RuleSet.BuiltIn();
        foreach (var kind in new[] { ArtifactKind.Iis, ArtifactKind.HttpProxy })
        {
            var texts = new List<char[]>();
            long total = 0;
            foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var file = new EvidenceFile(Path.GetRelativePath(dir, path).Replace('\\', '/'), new FileInfo(path).Length, null, () => File.OpenRead(path));
                var head = new byte[4096];
                using (var s = File.OpenRead(path)) head = head[..s.ReadAtLeast(head, head.Length, false)];
                ArtifactClassifier.Classify(file, head);
                if (file.Kind != kind || total > 200_000_000) continue;
                var bytes = File.ReadAllBytes(path);
                texts.Add(System.Text.Encoding.Latin1.GetString(bytes).ToCharArray());
                total += bytes.Length;
            }
            var union = rules.LinePrefilterFor(kind)!;
            var sets = rules.LogRulesFor(kind).Select(r => (r.GetType().Name, new LinePrefilter(r.LineNeedles!)))
                .Concat(union.Needles.Chunk(8).Select(g => (string.Join(" ", g), new LinePrefilter(g))))
                .Append(("UNION", union)).ToList();
            var hits = new List<int>();
            foreach (var (name, f) in sets)
            {
                for (var round = 0; round < 2; round++)
                {
                    var clock = Stopwatch.StartNew();
                    long n = 0;
                    foreach (var t in texts)
                        for (var off = 0; off < t.Length; off += 65536)
                        {
                            hits.Clear();
                            f.FindLines(t.AsSpan(off, Math.Min(65536, t.Length - off)), hits);
                            n += hits.Count;
                        }
                    if (round == 1) Console.WriteLine($"{kind.ToWire(),-10} {name,-36} {f.Needles.Count,3} needles {total / 1e6 / clock.Elapsed.TotalSeconds,7:F0} MB/s  {n,9:N0} hits");
                }
            }
        }
        return 0;
    }
}
