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
