using Exhunt.Detection;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using Exhunt.Scanning;
using Exhunt.Tests.Demo;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Detection;

/// <summary>Events go only to the rules of their event ID and channel or provider (IEventRule.EventIds, Channels,
/// Providers), from an index built once per rule set.</summary>
public sealed class EventRoutingTests(DemoSet set) : IClassFixture<DemoSet>
{
    [Fact]
    public void An_event_goes_to_the_rules_of_its_id_and_to_the_rules_that_declare_none_in_rule_set_order()
    {
        var a = new Probe([1, 4688]);
        var b = new Probe(null);
        var c = new Probe([11]);
        var routes = new EventRoutes([a, b, c]);
        Assert.Equal([a, b], routes.For(new WinEvent { EventId = 4688 }));
        Assert.Equal([b, c], routes.For(new WinEvent { EventId = 11 }));
        Assert.Equal([b], routes.For(new WinEvent { EventId = 4624 }));
        var rules = RuleSet.BuiltIn();
        Assert.Same(rules.EventRoutes, rules.EventRoutes);
        Assert.Contains(rules.EventRules, r => r.EventIds is not null);
        // Sysmon 1 reaches the process-creation rules, not the Defender ones.
        var sysmon1 = rules.EventRoutes.For(new WinEvent { EventId = 1, Channel = "Microsoft-Windows-Sysmon/Operational", Provider = "Microsoft-Windows-Sysmon" });
        Assert.Contains(sysmon1, r => r.GetType().Name == "W3wpShellRule");
        Assert.DoesNotContain(sysmon1, r => r.GetType().Name == "DefenderWebShellRule");
        // Event 1 of the MSExchange Management log is a cmdlet, not a process start.
        var cmdlet = rules.EventRoutes.For(new WinEvent { EventId = 1, Channel = "MSExchange Management", Provider = "MSExchange CmdletLogs" });
        Assert.Contains(cmdlet, r => r.GetType().Name == "TransportAgentInstallRule");
        Assert.DoesNotContain(cmdlet, r => r.GetType().Name == "W3wpShellRule");
    }

    [Fact]
    public void An_event_goes_to_the_rules_of_its_channel_or_its_provider_and_ids_still_apply()
    {
        var sysmon = new Probe([1], ["Microsoft-Windows-Sysmon/Operational"], ["Microsoft-Windows-Sysmon"]);
        var security = new Probe(null, ["Security"], null);
        var provider = new Probe([1102], null, ["Microsoft-Windows-Eventlog"]);
        var any = new Probe(null);
        var routes = new EventRoutes([sysmon, security, provider, any]);
        Assert.Equal([sysmon, any], routes.For(new WinEvent { EventId = 1, Channel = "microsoft-windows-sysmon/operational" }));
        Assert.Equal([sysmon, any], routes.For(new WinEvent { EventId = 1, Provider = "Microsoft-Windows-Sysmon" })); // an export with no channel
        Assert.Equal([any], routes.For(new WinEvent { EventId = 2, Channel = "Microsoft-Windows-Sysmon/Operational" }));
        Assert.Equal([security, provider, any], routes.For(new WinEvent { EventId = 1102, Channel = "Security", Provider = "Microsoft-Windows-Eventlog" }));
        Assert.Equal([security, any], routes.For(new WinEvent { EventId = 4688, Channel = "SECURITY" }));
        Assert.Equal([any], routes.For(new WinEvent { EventId = 1, Channel = "Application" }));
        Assert.Same(routes.For(new WinEvent { EventId = 1, Channel = "Application" }), routes.For(new WinEvent { EventId = 1, Channel = "Application" }));
        // Endless attacker-chosen channel names are answered, not all kept.
        for (var i = 0; i < 10_000; i++) Assert.Equal([any], routes.For(new WinEvent { EventId = i % 7 + 10, Channel = "c" + i }));
    }

    [Fact]
    public void Every_built_in_event_rule_declares_where_it_reads()
    {
        var rules = RuleSet.BuiltIn().EventRules.Where(r => r.GetType().Namespace!.StartsWith("Exhunt.Detection.Events", StringComparison.Ordinal)
            || r.GetType().Namespace!.StartsWith("Exhunt.Exposure", StringComparison.Ordinal)).ToList();
        Assert.True(rules.Count > 20, $"{rules.Count} rules");
        Assert.All(rules, r => Assert.True(r.Channels is not null || r.Providers is not null, r.GetType().Name));
    }

    [Fact]
    public void The_demo_evidence_scans_to_identical_findings_and_verdict_with_and_without_routing()
    {
        var routed = new Scanner(new ScanOptions()).Scan(set.Folder);
        var everyRule = RuleSet.BuiltIn();
        var wrapped = everyRule.EventRules.Select(r => (IEventRule)new Unrouted(r)).ToList();
        everyRule.EventRules.Clear();
        everyRule.EventRules.AddRange(wrapped);
        var all = new Scanner(new ScanOptions { Rules = everyRule }).Scan(set.Folder);
        Assert.Equal(LogLines.Describe(all.Findings), LogLines.Describe(routed.Findings));
        Assert.Equal(all.Story.Verdict, routed.Story.Verdict);
    }

    /// <summary>Every built-in event rule on every corpus event, routed and not; each event also as an export that
    /// carries only its provider (no channel) and only its channel (no provider), so channel OR provider declarations
    /// are checked against both halves.</summary>
    [SkippableFact]
    public void Corpus_evtx_samples_give_identical_findings_with_and_without_routing()
    {
        var root = Corpus.Path_("evtx");
        var files = Directory.EnumerateFiles(root, "*.evtx", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var rules = RuleSet.BuiltIn();
        var routedContext = new ScanContext();
        var allContext = new ScanContext();
        var count = 0;
        foreach (var path in files)
        {
            using var s = File.OpenRead(path);
            try
            {
                EvtxReader.Read(s, new ReaderStats(), (evt, record) =>
                {
                    count++;
                    foreach (var (variant, suffix) in new[] { (evt, ""), (Without(evt, channel: true), "#no-channel"), (Without(evt, channel: false), "#no-provider") })
                    {
                        var origin = new EventOrigin(path + suffix, record);
                        foreach (var r in rules.EventRoutes.For(variant)) r.Inspect(variant, origin, routedContext);
                        foreach (var r in rules.EventRules) r.Inspect(variant, origin, allContext);
                    }
                });
            }
            catch (Exception) { /* a malformed sample: both paths saw the same events */ }
        }
        Assert.True(count > 1000, $"{count} events");
        var all = allContext.Findings.Snapshot();
        Assert.NotEmpty(all);
        Assert.Contains(all, f => f.Artifact.EndsWith("#no-channel", StringComparison.Ordinal));
        Assert.Contains(all, f => f.Artifact.EndsWith("#no-provider", StringComparison.Ordinal));
        Assert.Equal(LogLines.Describe(all), LogLines.Describe(routedContext.Findings.Snapshot()));
        Assert.Equal(Writes(allContext), Writes(routedContext));
    }

    private static string[] Writes(ScanContext c) => c.FileWrites.Select(w => $"{w.WindowsPath}|{w.RuleId}|{w.Artifact}|{w.Record}|{w.How}").Order(StringComparer.Ordinal).ToArray();

    private static WinEvent Without(WinEvent e, bool channel)
    {
        var copy = new WinEvent
        {
            Provider = channel ? e.Provider : "", Channel = channel ? "" : e.Channel, EventId = e.EventId, Level = e.Level, TimeCreated = e.TimeCreated,
            RecordId = e.RecordId, Computer = e.Computer, EventSourceName = e.EventSourceName, Task = e.Task, Opcode = e.Opcode, Keywords = e.Keywords,
        };
        copy.Data.AddRange(e.Data);
        return copy;
    }

    private sealed class Probe(IReadOnlyList<int>? ids, IReadOnlyList<string>? channels = null, IReadOnlyList<string>? providers = null) : IEventRule
    {
        public IReadOnlyList<int>? EventIds => ids;
        public IReadOnlyList<string>? Channels => channels;
        public IReadOnlyList<string>? Providers => providers;
        public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context) { }
    }

    private sealed class Unrouted(IEventRule inner) : IEventRule
    {
        public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context) => inner.Inspect(evt, origin, context);
    }
}
