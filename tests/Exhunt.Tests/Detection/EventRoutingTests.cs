using Exhunt.Detection;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using Exhunt.Scanning;
using Exhunt.Tests.Demo;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Detection;

/// <summary>Events go only to the rules of their event ID (IEventRule.EventIds), from an index built once per rule set.</summary>
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
        var sysmon1 = rules.EventRoutes.For(new WinEvent { EventId = 1 });
        Assert.Contains(sysmon1, r => r.GetType().Name == "W3wpShellRule");
        Assert.DoesNotContain(sysmon1, r => r.GetType().Name == "DefenderWebShellRule");
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
                    var origin = new EventOrigin(path, record);
                    foreach (var r in rules.EventRoutes.For(evt)) r.Inspect(evt, origin, routedContext);
                    foreach (var r in rules.EventRules) r.Inspect(evt, origin, allContext);
                });
            }
            catch (Exception) { /* a malformed sample: both paths saw the same events */ }
        }
        Assert.True(count > 1000, $"{count} events");
        Assert.NotEmpty(allContext.Findings.Snapshot());
        Assert.Equal(LogLines.Describe(allContext.Findings.Snapshot()), LogLines.Describe(routedContext.Findings.Snapshot()));
    }

    private sealed class Probe(IReadOnlyList<int>? ids) : IEventRule
    {
        public IReadOnlyList<int>? EventIds => ids;
        public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context) { }
    }

    private sealed class Unrouted(IEventRule inner) : IEventRule
    {
        public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context) => inner.Inspect(evt, origin, context);
    }
}
