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
    public static int Run(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var set = SigmaLoader.Load([args[0]]);
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
        for (var run = 1; run <= 3; run++)
        {
            var context = new ScanContext();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            var origin = new EventOrigin("bench", 0);
            foreach (var e in events) set.Inspect(e, origin, context);
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"run {run}: {events.Count / clock.Elapsed.TotalSeconds:N0} events/s wall, {events.Count / used.TotalSeconds:N0} events/s per CPU-second, {context.Findings.Snapshot().Count} findings");
        }
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
