using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Tests.Sigma;

/// <summary>Sigma correlation rules (event_count, value_count, temporal, temporal_ordered) over events shaped as our
/// EVTX reader yields them: firing, and staying quiet below the threshold, outside the timespan, across hosts and
/// out of order.</summary>
public class SigmaCorrelationTests
{
    internal const string BaseRules = """
        title: Failed logon
        id: 0a000000-0000-4000-8000-000000000001
        name: failed_logon
        status: test
        logsource:
            product: windows
            service: security
        detection:
            selection:
                EventID: 4625
            condition: selection
        level: low
        ---
        title: Successful network logon
        id: 0a000000-0000-4000-8000-000000000002
        name: successful_logon
        logsource:
            product: windows
            service: security
        detection:
            selection:
                EventID: 4624
                LogonType: 3
            condition: selection
        level: informational
        ---
        title: Outbound connection
        id: 0a000000-0000-4000-8000-000000000003
        name: outbound_connection
        logsource:
            product: windows
            category: network_connection
        detection:
            selection:
                Initiated: 'true'
            condition: selection
        level: low
        """;

    private const string CorrelationId = "sigma:0c000000-0000-4000-8000-00000000000c";
    private static readonly DateTime T0 = new(2021, 3, 3, 2, 0, 0, DateTimeKind.Utc);

    private static SigmaRuleSet Load(string correlation)
    {
        var set = SigmaLoader.LoadText(correlation + "\n---\n" + BaseRules);
        Assert.True(set.Report.Rejected.Count == 0, string.Join("; ", set.Report.Rejected.Select(r => r.Reason)));
        Assert.Equal(1, set.Report.Correlations);
        return set;
    }

    private static string Correlation(string body, string level = "high") => $"""
        title: Correlated
        id: 0c000000-0000-4000-8000-00000000000c
        level: {level}
        correlation:
        {Indent(body)}
        """;

    private static string Indent(string body) => string.Join("\n", body.Split('\n').Select(l => "    " + l));

    internal static WinEvent Failed(string host, double minutes, string user = "administrator", string ip = "203.0.113.7") =>
        Security(4625, host, minutes, ("TargetUserName", user), ("IpAddress", ip), ("LogonType", "3"));

    internal static WinEvent Success(string host, double minutes, string user = "administrator", string ip = "203.0.113.7") =>
        Security(4624, host, minutes, ("TargetUserName", user), ("IpAddress", ip), ("LogonType", "3"));

    private static WinEvent Security(int id, string host, double minutes, params (string Name, string Value)[] data)
    {
        var e = new WinEvent
        {
            Channel = "Security", Provider = "Microsoft-Windows-Security-Auditing", EventId = id, Computer = host,
            TimeCreated = T0.AddMinutes(minutes),
        };
        foreach (var (n, v) in data) e.Data.Add(new(n, v));
        return e;
    }

    private static WinEvent Connection(string host, double minutes, string destination)
    {
        var e = new WinEvent
        {
            Channel = SigmaTestKit.Sysmon, Provider = "Microsoft-Windows-Sysmon", EventId = 3, Computer = host, TimeCreated = T0.AddMinutes(minutes),
        };
        e.Data.Add(new("Initiated", "true"));
        e.Data.Add(new("Image", @"C:\Windows\System32\inetsrv\w3wp.exe"));
        e.Data.Add(new("DestinationIp", destination));
        e.Data.Add(new("SourceIp", "10.0.0.5"));
        return e;
    }

    /// <summary>Inspects the events as the scanner does (each with its artifact and record number), then runs the
    /// correlation step as the scanner does after every file was read.</summary>
    internal static List<Finding> Run(SigmaRuleSet set, params WinEvent[] events)
    {
        var context = new ScanContext();
        // Out of time order, as parallel file reads deliver them.
        foreach (var (e, i) in events.Select((e, i) => (e, i)).Reverse())
            set.Inspect(e, new EventOrigin(e.Channel == "Security" ? "Logs/Security.evtx" : "Logs/Sysmon.evtx", 100 + i), context);
        var rules = set.AddTo(new RuleSet());
        foreach (var rule in rules.CorrelationRules)
            rule.Run(new CorrelationInput(new EvidenceIndex([]), context.Findings.Snapshot()), context);
        return context.Findings.Snapshot().ToList();
    }

    private static List<Finding> Hits(List<Finding> findings) => findings.Where(f => f.Rule.Id == CorrelationId).ToList();

    private const string FiveFailedIn10m = """
        type: event_count
        rules:
            - failed_logon
        group-by:
            - TargetUserName
        timespan: 10m
        condition:
            gte: 5
        """;

    [Fact]
    public void Event_count_fires_once_listing_the_records_it_joined()
    {
        var set = Load(Correlation(FiveFailedIn10m));
        var findings = Run(set, [.. Enumerable.Range(0, 6).Select(i => Failed("EX01.contoso.local", i)), Success("EX01.contoso.local", 7)]);
        var hit = Assert.Single(Hits(findings));
        Assert.Equal(Severity.High, hit.Severity);
        Assert.Equal("ex01", hit.Host);
        Assert.Equal(T0, hit.Time);
        Assert.Equal("Logs/Security.evtx", hit.Artifact);
        Assert.Equal(100, hit.Record);
        Assert.Equal("6", hit.Details!["records"]);
        Assert.Equal("administrator", hit.Details["TargetUserName"]);
        Assert.Contains("event_count 6 events within 10m on ex01 (TargetUserName=administrator)", hit.Evidence);
        Assert.Contains("Logs/Security.evtx#100, Logs/Security.evtx#101", hit.Evidence);
        Assert.Equal(6, hit.Details["joined"].Split("; ").Length);
        // The joined rule has no generate: it makes no findings of its own; a rule no correlation joins still does.
        Assert.DoesNotContain(findings, f => f.Rule.Id == "sigma:0a000000-0000-4000-8000-000000000001");
        Assert.Contains(findings, f => f.Rule.Id == "sigma:0a000000-0000-4000-8000-000000000002");
    }

    [Fact]
    public void Event_count_stays_quiet_below_the_threshold_and_outside_the_timespan()
    {
        var set = Load(Correlation(FiveFailedIn10m));
        Assert.Empty(Run(set, [.. Enumerable.Range(0, 4).Select(i => Failed("EX01", i))]));
        // Five failures, but spread over 20 minutes: no 10 minutes hold five.
        Assert.Empty(Run(set, [.. Enumerable.Range(0, 5).Select(i => Failed("EX01", i * 5))]));
    }

    [Fact]
    public void Event_count_never_joins_records_of_two_hosts()
    {
        var set = Load(Correlation(FiveFailedIn10m));
        Assert.Empty(Run(set, [.. Enumerable.Range(0, 3).Select(i => Failed("EX01.contoso.local", i)), .. Enumerable.Range(0, 3).Select(i => Failed("EX02.contoso.local", i))]));
        var both = Run(set, [.. Enumerable.Range(0, 5).Select(i => Failed("EX01.contoso.local", i)), .. Enumerable.Range(0, 5).Select(i => Failed("EX02.contoso.local", i))]);
        Assert.Equal(["ex01", "ex02"], Hits(both).Select(f => f.Host!).Order());
        Assert.All(Hits(both), f => Assert.Equal("5", f.Details!["records"]));
    }

    [Fact]
    public void Group_by_keeps_each_value_apart()
    {
        var set = Load(Correlation(FiveFailedIn10m));
        var mixed = Enumerable.Range(0, 8).Select(i => Failed("EX01", i, user: i % 2 == 0 ? "alice" : "bob")).ToArray();
        Assert.Empty(Run(set, mixed));
        var hit = Assert.Single(Run(set, [.. mixed, Failed("EX01", 8.5, user: "alice")]));
        Assert.Equal("alice", hit.Details!["TargetUserName"]);
        Assert.Equal("5", hit.Details["records"]);
    }

    [Fact]
    public void Generate_true_keeps_the_joined_rules_findings()
    {
        var set = Load(Correlation(FiveFailedIn10m + "\ngenerate: true"));
        var findings = Run(set, [.. Enumerable.Range(0, 5).Select(i => Failed("EX01", i))]);
        Assert.Single(Hits(findings));
        Assert.Equal(5, findings.Count(f => f.Rule.Id == "sigma:0a000000-0000-4000-8000-000000000001"));
    }

    [Fact]
    public void Value_count_counts_distinct_values()
    {
        var set = Load(Correlation("""
            type: value_count
            rules:
                - failed_logon
            group-by:
                - IpAddress
            timespan: 1h
            condition:
                field: TargetUserName
                gte: 3
            """));
        // Many failures for one account: one distinct value.
        Assert.Empty(Run(set, [.. Enumerable.Range(0, 10).Select(i => Failed("EX01", i))]));
        // Two accounts twice each: two distinct values.
        Assert.Empty(Run(set, Failed("EX01", 0, "alice"), Failed("EX01", 1, "bob"), Failed("EX01", 2, "alice"), Failed("EX01", 3, "bob")));
        var hit = Assert.Single(Run(set, Failed("EX01", 0, "alice"), Failed("EX01", 1, "bob"), Failed("EX01", 2, "alice"), Failed("EX01", 3, "carol")));
        Assert.Equal("3", hit.Details!["count"]);
        Assert.Equal("203.0.113.7", hit.Details["IpAddress"]);
        // Three accounts, but from three addresses: three groups of one.
        Assert.Empty(Run(set, Failed("EX01", 0, "alice", "198.51.100.1"), Failed("EX01", 1, "bob", "198.51.100.2"), Failed("EX01", 2, "carol", "198.51.100.3")));
    }

    [Fact]
    public void Condition_ranges_bound_both_sides()
    {
        var set = Load(Correlation("""
            type: event_count
            rules:
                - failed_logon
            timespan: 10m
            condition:
                gt: 2
                lte: 3
            """));
        Assert.Empty(Run(set, Failed("EX01", 0), Failed("EX01", 1)));
        Assert.Single(Run(set, Failed("EX01", 0), Failed("EX01", 1), Failed("EX01", 2)));
        // Four in ten minutes: the window from the second failure holds three.
        Assert.Single(Run(set, Failed("EX01", 0), Failed("EX01", 1), Failed("EX01", 2), Failed("EX01", 3)));
    }

    private const string FailedThenSuccess = """
        type: {0}
        rules:
            - failed_logon
            - successful_logon
        group-by:
            - TargetUserName
        timespan: 5m
        """;

    [Fact]
    public void Temporal_needs_every_rule_in_the_timespan_in_any_order()
    {
        var set = Load(Correlation(string.Format(FailedThenSuccess, "temporal")));
        var hit = Assert.Single(Run(set, Failed("EX01", 0), Success("EX01", 2)));
        Assert.Equal("2", hit.Details!["records"]);
        Assert.Single(Run(set, Success("EX01", 0), Failed("EX01", 2)));
        Assert.Empty(Run(set, Failed("EX01", 0), Failed("EX01", 1)));
        Assert.Empty(Run(set, Failed("EX01", 0), Success("EX01", 6)));
        Assert.Empty(Run(set, Failed("EX01", 0), Success("EX02", 1)));
        Assert.Empty(Run(set, Failed("EX01", 0, user: "alice"), Success("EX01", 1, user: "bob")));
    }

    [Fact]
    public void Temporal_ordered_needs_the_listed_order()
    {
        var set = Load(Correlation(string.Format(FailedThenSuccess, "temporal_ordered")));
        var hit = Assert.Single(Run(set, Failed("EX01", 0), Failed("EX01", 1), Success("EX01", 3)));
        Assert.Equal("2", hit.Details!["records"]);
        Assert.Contains("Logs/Security.evtx#100, Logs/Security.evtx#102", hit.Evidence);
        Assert.Empty(Run(set, Success("EX01", 0), Failed("EX01", 2)));
        Assert.Empty(Run(set, Failed("EX01", 0), Success("EX01", 5.5)));
        Assert.Empty(Run(set, Failed("EX01", 0), Success("EX02", 1)));
    }

    [Fact]
    public void Temporal_ordered_steps_may_repeat_a_rule_but_one_record_is_one_step()
    {
        var set = Load(Correlation("""
            type: temporal_ordered
            rules:
                - failed_logon
                - failed_logon
                - successful_logon
            timespan: 5m
            """));
        Assert.Empty(Run(set, Failed("EX01", 0), Success("EX01", 1)));
        var hit = Assert.Single(Run(set, Failed("EX01", 0), Failed("EX01", 1), Success("EX01", 2)));
        Assert.Equal("3", hit.Details!["records"]);
    }

    [Fact]
    public void Aliases_join_different_fields_of_different_rules()
    {
        // A failed logon from an address, then the web server connecting out to that same address.
        var set = Load(Correlation("""
            type: temporal_ordered
            rules:
                - failed_logon
                - outbound_connection
            group-by:
                - remote
            timespan: 30m
            aliases:
                remote:
                    failed_logon: IpAddress
                    outbound_connection: DestinationIp
            """));
        var hit = Assert.Single(Run(set, Failed("EX01", 0, ip: "203.0.113.7"), Connection("EX01", 10, "203.0.113.7")));
        Assert.Equal("203.0.113.7", hit.Details!["remote"]);
        Assert.Contains("Logs/Sysmon.evtx#101", hit.Evidence);
        Assert.Empty(Run(set, Failed("EX01", 0, ip: "203.0.113.7"), Connection("EX01", 10, "198.51.100.9")));
        Assert.Empty(Run(set, Failed("EX01", 0, ip: "203.0.113.7"), Connection("EX02", 10, "203.0.113.7")));
    }

    [Fact]
    public void Chained_correlations_join_hits_of_other_correlations()
    {
        // The specification's example: many failed logons, then a successful one for the same account.
        var yaml = """
            title: Many failed logons then a success
            id: 0c000000-0000-4000-8000-00000000000c
            level: critical
            correlation:
                type: temporal_ordered
                rules:
                    - many_failed
                    - successful_logon
                group-by:
                    - TargetUserName
                timespan: 30m
            ---
            title: Many failed logons
            id: 0c000000-0000-4000-8000-00000000000d
            name: many_failed
            correlation:
                type: event_count
                rules:
                    - failed_logon
                group-by:
                    - TargetUserName
                timespan: 10m
                condition:
                    gte: 3
            """;
        var set = SigmaLoader.LoadText(yaml + "\n---\n" + BaseRules);
        Assert.Empty(set.Report.Rejected);
        Assert.Equal(2, set.Report.Correlations);
        var findings = Run(set, Failed("EX01", 0), Failed("EX01", 1), Failed("EX01", 2), Success("EX01", 6));
        var hit = Assert.Single(findings);
        Assert.Equal(CorrelationId, hit.Rule.Id);
        Assert.Equal(Severity.Critical, hit.Severity);
        Assert.Equal("4", hit.Details!["records"]);
        Assert.Empty(Run(set, Failed("EX01", 0), Failed("EX01", 1), Success("EX01", 6)));
        Assert.Empty(Run(set, Success("EX01", 0), Failed("EX01", 1), Failed("EX01", 2), Failed("EX01", 3)));
    }

    [Fact]
    public void A_correlation_without_a_level_takes_the_highest_level_it_joins()
    {
        var set = SigmaLoader.LoadText("title: c\nid: c1\ncorrelation:\n    type: temporal\n    rules: [failed_logon, successful_logon]\n    timespan: 5m\n---\n" + BaseRules);
        var hit = Assert.Single(Run(set, Failed("EX01", 0), Success("EX01", 1)));
        Assert.Equal(Severity.Low, hit.Severity);
        Assert.Equal("sigma:c1", hit.Rule.Id);
    }

    [Fact]
    public void Untimed_records_and_records_without_the_group_field_are_counted_not_joined()
    {
        var set = Load(Correlation(FiveFailedIn10m));
        var untimed = Failed("EX01", 0);
        untimed.TimeCreated = null;
        var noUser = Security(4625, "EX01", 1, ("IpAddress", "203.0.113.7"));
        var context = new ScanContext();
        set.Inspect(untimed, new EventOrigin("a.evtx", 1), context);
        set.Inspect(noUser, new EventOrigin("a.evtx", 2), context);
        set.Correlations!.Run(new CorrelationInput(new EvidenceIndex([]), []), context);
        var stats = set.Correlations.StatsFor(context)!;
        Assert.Equal(2, stats.BaseMatches);
        Assert.Equal(1, stats.Untimed);
        Assert.Equal(1, stats.MissingField);
        Assert.Equal(0, stats.Hits);
    }

    [Fact]
    public void New_groups_beyond_the_correlation_cap_are_dropped_and_counted()
    {
        var set = Load(Correlation(FiveFailedIn10m));
        var context = new ScanContext();
        var e = Failed("EX01", 0);
        var user = e.Data.FindIndex(d => d.Key == "TargetUserName");
        for (var i = 0; i < SigmaCorrelationEngine.MaxMatchesPerCorrelation + 10; i++)
        {
            e.Data[user] = new("TargetUserName", "user" + i);
            set.Inspect(e, new EventOrigin("a.evtx", i), context);
        }
        set.Correlations!.Run(new CorrelationInput(new EvidenceIndex([]), []), context);
        var stats = set.Correlations.StatsFor(context)!;
        Assert.Equal(10, stats.Dropped);
        Assert.Equal(0, stats.Hits);
    }

    [Fact]
    public void The_rule_catalogue_lists_correlations()
    {
        var set = Load(Correlation(FiveFailedIn10m));
        var info = Assert.Single(RuleCatalog.Of(set.AddTo(new RuleSet())), r => r.Id == CorrelationId);
        Assert.Equal("Correlated", info.Title);
        Assert.Equal(Severity.High, info.Severity);
    }

    [Fact]
    public void Rejects_are_escaped_on_the_console()
    {
        var report = new SigmaLoadReport();
        report.Rejected.Add(new SigmaReject("rules/\u001b[2Jevil.yml", "id\u202e", "joins rule '\u0007x', which is not among the rules loaded"));
        var text = new StringWriter();
        Exhunt.Reports.SigmaReportSection.WriteConsole(text, new SigmaScanAccount(report, new SigmaCorrelationStats()));
        var s = text.ToString();
        Assert.DoesNotContain('\u001b', s);
        Assert.DoesNotContain('\u202e', s);
        Assert.DoesNotContain('\u0007', s);
        Assert.Contains("\\x1b[2Jevil.yml", s);
    }

    [Fact]
    public void A_flood_in_one_group_is_capped_by_evicting_the_oldest()
    {
        var set = Load(Correlation(FiveFailedIn10m));
        var context = new ScanContext();
        var e = Failed("EX01", 0);
        for (var i = 0; i < SigmaCorrelationEngine.MaxMatchesPerGroup + 100; i++)
        {
            e.TimeCreated = T0.AddSeconds(i * 30);
            set.Inspect(e, new EventOrigin("a.evtx", i), context);
        }
        set.Correlations!.Run(new CorrelationInput(new EvidenceIndex([]), []), context);
        var stats = set.Correlations.StatsFor(context)!;
        Assert.Equal(100, stats.Evicted);
        var hits = context.Findings.Snapshot();
        Assert.NotEmpty(hits);
        // The oldest were evicted: the first hit starts after them.
        Assert.Equal(T0.AddSeconds(100 * 30), hits.Min(f => f.Time));
    }
}
