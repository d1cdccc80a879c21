using System.Diagnostics;
using Exhunt.Detection;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;

namespace Exhunt.Bench;

/// <summary>
/// evtx rules DIR: the built-in event rules over events already in memory (read once with our EVTX reader), single
/// thread, five runs each (each run passes over the events ten times): routed as the scanner routes (<see cref="RuleSet.EventRoutes"/>) and every rule on every
/// event. Prints events/s per CPU-second and how many rule calls routing made (a count the machine's load cannot blur).
/// </summary>
internal static class EventRulesBench
{
    private const int Passes = 10;

    public static int Run(string dir)
    {
        var events = new List<WinEvent>();
        foreach (var f in Directory.EnumerateFiles(dir, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                using var s = File.OpenRead(f);
                EvtxReader.Read(s, new ReaderStats(), (e, _) => events.Add(e));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or EvtxFormatException) { }
        }
        var rules = RuleSet.BuiltIn();
        var routes = rules.EventRoutes;
        var all = rules.EventRules.ToArray();
        long calls = 0;
        foreach (var e in events) calls += routes.For(e).Length;
        Console.WriteLine($"events: {events.Count:N0}, event rules: {all.Length}, rule calls routed: {calls:N0} (unrouted: {(long)events.Count * all.Length:N0})");
        for (var run = 1; run <= 5; run++)
        {
            Measure($"routed run {run}", events, (e, o, c) => { foreach (var r in routes.For(e)) r.Inspect(e, o, c); });
            Measure($"every rule run {run}", events, (e, o, c) => { foreach (var r in all) r.Inspect(e, o, c); });
        }
        var cost = new Dictionary<string, (double Ms, long Calls)>();
        var ctx = new ScanContext();
        var at = new EventOrigin("bench", 0);
        foreach (var e in events)
            foreach (var r in routes.For(e))
            {
                var t = Stopwatch.GetTimestamp();
                r.Inspect(e, at, ctx);
                var dt = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                var name = r.GetType().Name;
                var (ms, n) = cost.GetValueOrDefault(name);
                cost[name] = (ms + dt, n + 1);
            }
        foreach (var (name, (ms, n)) in cost.OrderByDescending(c => c.Value.Ms).Take(6)) Console.WriteLine($"  {ms:F1} ms {name} ({n:N0} calls)");
        return 0;
    }

    private static void Measure(string name, List<WinEvent> events, Action<WinEvent, EventOrigin, ScanContext> inspect)
    {
        var context = new ScanContext();
        var origin = new EventOrigin("bench", 0);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var alloc = GC.GetAllocatedBytesForCurrentThread();
        for (var pass = 0; pass < Passes; pass++)
            foreach (var e in events) inspect(e, origin, context);
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        alloc = GC.GetAllocatedBytesForCurrentThread() - alloc;
        Console.WriteLine($"{name,-20} {used * 1000:F0} ms CPU  {(long)events.Count * Passes / used:N0} events/s per CPU-second  {alloc / 1e6 / Passes:F2} MB allocated per pass  {context.Findings.Snapshot().Count} findings");
    }
}
