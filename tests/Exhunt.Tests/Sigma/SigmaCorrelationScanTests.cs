using System.Text.Json;
using Exhunt.Cli;
using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Reports;
using Exhunt.Scanning;
using Exhunt.Tests.Hosts;
using Exhunt.Tests.Support;
using Exhunt.Tests.WebRules;
using Xunit.Abstractions;

namespace Exhunt.Tests.Sigma;

/// <summary>Correlation rules in a whole scan (records from our HttpProxy, IIS and JSON-lines event readers, hosts from
/// the collection and the records), the load account in lint and in the scan's reports, and the SigmaHQ tree.</summary>
public class SigmaCorrelationScanTests(ITestOutputHelper output)
{
    private const string BaseRules = """
        title: POST to a page under /owa/auth/
        id: 0e000000-0000-4000-8000-000000000001
        name: owa_auth_post
        logsource:
            category: webserver
        detection:
            selection:
                cs-method: POST
                cs-uri-stem|startswith: '/owa/auth/'
                cs-uri-stem|endswith: '.aspx'
            condition: selection
        level: medium
        ---
        title: IIS worker starts a shell
        id: 0e000000-0000-4000-8000-000000000002
        name: w3wp_shell
        logsource:
            category: process_creation
            product: windows
        detection:
            selection:
                ParentImage|endswith: '\w3wp.exe'
                Image|endswith: '\cmd.exe'
            condition: selection
        level: high
        """;

    private const string Correlations = """
        title: Repeated POSTs to pages under /owa/auth/ from one client
        id: 0e000000-0000-4000-8000-0000000000c1
        correlation:
            type: event_count
            rules:
                - owa_auth_post
            group-by:
                - c-ip
            timespan: 10m
            condition:
                gte: 3
        level: high
        ---
        title: POST to /owa/auth/ then the IIS worker starts a shell
        id: 0e000000-0000-4000-8000-0000000000c2
        correlation:
            type: temporal_ordered
            rules:
                - owa_auth_post
                - w3wp_shell
            timespan: 10m
        level: critical
        """;

    private const string Repeated = "sigma:0e000000-0000-4000-8000-0000000000c1";
    private const string ThenShell = "sigma:0e000000-0000-4000-8000-0000000000c2";

    private static string Post(string server, string time) =>
        $"2021-03-03T{time}.000Z,{Guid.NewGuid()},/owa/auth/x.aspx,,,Mozilla/5.0,203.0.113.7,{server},200,POST,\r\n";

    private static string Sysmon1(string host, string time) =>
        "{\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Hostname\":\"" + host +
        "\",\"TimeCreated\":\"2021-03-03T" + time + ".000Z\",\"EventID\":1,\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"," +
        "\"CommandLine\":\"cmd /c whoami\",\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\",\"User\":\"NT AUTHORITY\\\\SYSTEM\"}\n";

    /// <summary>exch01: four POSTs to /owa/auth/x.aspx from one client in a minute (HttpProxy), then w3wp starts cmd (Sysmon
    /// JSON lines). exch02: two such POSTs (IIS) and nothing else. exch03: only w3wp starting cmd. Across hosts the
    /// POSTs would number six and precede exch03's shell; on each host only exch01 shows either pattern.</summary>
    private static void Evidence(Fixture.TempDir dir)
    {
        dir.Write("exch01/Exchange/Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", MultiHostScanTests.Header +
            MultiHostScanTests.Benign("EXCH01.contoso.local", "2021-03-03T02:00:00.000Z") +
            string.Concat(new[] { "02:14:00", "02:14:15", "02:14:30", "02:14:45" }.Select(t => Post("EXCH01.contoso.local", t))) +
            MultiHostScanTests.Benign("EXCH01.contoso.local", "2021-03-03T02:20:00.000Z"));
        dir.Write("exch01/C/Windows/System32/winevt/Logs/sysmon.json",
            Sysmon1("EXCH01.contoso.local", "02:10:00").Replace("cmd.exe\",", "conhost.exe\",") + Sysmon1("EXCH01.contoso.local", "02:15:00"));
        dir.Write("exch02/" + WebLog.IisPath, WebLog.Iis(
            "2021-03-03 02:14:05 10.0.0.6 POST /owa/auth/x.aspx - 443 - 203.0.113.7 Mozilla/5.0 - 200 0 0 15",
            "2021-03-03 02:14:35 10.0.0.6 POST /owa/auth/x.aspx - 443 - 203.0.113.7 Mozilla/5.0 - 200 0 0 15",
            "2021-03-03 02:16:00 10.0.0.6 GET /owa/ - 443 - 10.1.1.20 Mozilla/5.0 - 200 0 0 15"));
        dir.Write("exch03/C/Windows/System32/winevt/Logs/sysmon.json", Sysmon1("EXCH03.contoso.local", "02:16:00"));
    }

    /// <summary>The base rules and the correlations in different files of one rules folder.</summary>
    private static void Rules(Fixture.TempDir rules)
    {
        rules.Write("base.yml", BaseRules);
        rules.Write("correlations/exchange.yml", Correlations);
    }

    [Fact]
    public void A_scan_joins_records_per_host_into_one_finding_each_and_reports_the_account()
    {
        using var dir = new Fixture.TempDir();
        using var rules = new Fixture.TempDir();
        Evidence(dir);
        Rules(rules);
        var sigma = SigmaLoader.Load([rules.Path]);
        Assert.Empty(sigma.Report.Rejected);
        Assert.Equal(4, sigma.Report.Loaded);
        Assert.Equal(2, sigma.Report.Correlations);
        var result = new Scanner(new ScanOptions { Rules = sigma.AddTo(RuleSet.BuiltIn()) }).Scan(dir.Path);

        var hits = result.Findings.Where(f => f.Rule.Id.StartsWith("sigma:", StringComparison.Ordinal)).ToList();
        foreach (var f in hits) output.WriteLine($"{f.Rule.Id} {f.Host} {f.Artifact} {f.Line}{f.Record} | {f.Evidence}");
        var repeated = Assert.Single(hits, f => f.Rule.Id == Repeated);
        Assert.Equal("exch01", repeated.Host);
        Assert.Equal("exch01/Exchange/Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", repeated.Artifact);
        Assert.Equal(5, repeated.Line);
        Assert.Equal("4", repeated.Details!["records"]);
        Assert.Equal("203.0.113.7", repeated.Details["c-ip"]);
        Assert.Contains("HttpProxy_2021030302-1.LOG:5, exch01/Exchange/Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG:6", repeated.Evidence);

        var shell = Assert.Single(hits, f => f.Rule.Id == ThenShell);
        Assert.Equal("exch01", shell.Host);
        Assert.Equal(Exhunt.Findings.Severity.Critical, shell.Severity);
        Assert.Equal("2", shell.Details!["records"]);
        Assert.Contains("exch01/C/Windows/System32/winevt/Logs/sysmon.json#2", shell.Details["joined"]);
        // The joined rules are helpers here: no finding of their own.
        Assert.Equal(2, hits.Count);

        Assert.NotNull(result.Sigma);
        Assert.Equal(2, result.Sigma!.Correlations!.Hits);
        var json = new MemoryStream();
        JsonReport.Write(result, json);
        AssertValid(json.ToArray());
        using var doc = JsonDocument.Parse(json.ToArray());
        var account = doc.RootElement.GetProperty("sigma");
        Assert.Equal(4, account.GetProperty("loaded").GetInt32());
        Assert.Equal(0, account.GetProperty("rejected").GetArrayLength());
        Assert.Equal(0, account.GetProperty("unsupported_logsource").GetInt32());
        Assert.Equal(2, account.GetProperty("correlations").GetProperty("loaded").GetInt32());
        Assert.Equal(2, account.GetProperty("correlations").GetProperty("hits").GetInt32());
        var finding = doc.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("rule").GetString() == Repeated);
        Assert.Equal("exch01", finding.GetProperty("host").GetString());

        var console = new StringWriter();
        ConsoleReport.Write(result, console);
        Assert.Contains("SIGMA", console.ToString());
        Assert.Contains("4 rules loaded (2 correlations), 0 rejected", console.ToString());
    }

    /// <summary>Validates against the published report schema with a registry of its own (the global one is shared
    /// by tests running in parallel, and registering the schema twice there throws).</summary>
    private static void AssertValid(byte[] json)
    {
        var schema = Json.Schema.JsonSchema.FromFile(Exhunt.Tests.Reports.StoryWritersTests.SchemaPath(),
            new Json.Schema.BuildOptions { SchemaRegistry = new Json.Schema.SchemaRegistry() });
        var result = schema.Evaluate(JsonDocument.Parse(json).RootElement, new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List });
        var errors = result.Details?.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")).Take(10).ToList();
        Assert.True(result.IsValid, "schema errors: " + string.Join("; ", errors ?? []));
    }

    [Fact]
    public void The_cli_scan_reports_the_sigma_account_and_rejects_in_json_and_on_the_console()
    {
        using var dir = new Fixture.TempDir();
        using var rules = new Fixture.TempDir();
        Evidence(dir);
        Rules(rules);
        rules.Write("broken.yml", "title: broken\nid: b1\ncorrelation:\n    type: event_count\n    rules: [no_such_rule]\n    timespan: 5m\n    condition:\n        gte: 2\n");
        {
            var result = CliProcess.Run("scan", dir.Path, "--sigma", rules.Path, "--json", "-", "--no-progress");
            output.WriteLine(result.Stderr);
            using var doc = JsonDocument.Parse(result.Stdout);
            var account = doc.RootElement.GetProperty("sigma");
            var reject = Assert.Single(account.GetProperty("rejected").EnumerateArray());
            Assert.Equal("b1", reject.GetProperty("id").GetString());
            Assert.Contains("joins rule 'no_such_rule', which is not among the rules loaded", reject.GetProperty("reason").GetString());
            Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == Repeated);
            // The console report (on stderr when JSON goes to stdout) lists the reject.
            Assert.Contains("SIGMA", result.Stderr);
            Assert.Contains("rejected ", result.Stderr);
            Assert.Contains("[b1]: joins rule 'no_such_rule'", result.Stderr);
        }
    }

    [Fact]
    public void Lint_counts_correlations_as_loaded_and_rejects_those_joining_missing_or_rejected_rules()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("base.yml", BaseRules);
        dir.Write("good.yml", Correlations);
        dir.Write("bad-rule.yml", "title: bad\nid: bad1\nname: bad_rule\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        Image|bogus: x\n    condition: sel\n");
        dir.Write("linux.yml", "title: l\nid: lin1\nname: linux_rule\nlogsource:\n    product: linux\n    category: process_creation\ndetection:\n    sel:\n        Image: x\n    condition: sel\n");
        dir.Write("c-missing.yml", "title: c\nid: cm\ncorrelation:\n    type: temporal\n    rules: [owa_auth_post, nowhere]\n    timespan: 5m\n");
        dir.Write("c-rejected.yml", "title: c\nid: cr\ncorrelation:\n    type: temporal\n    rules: [owa_auth_post, bad_rule]\n    timespan: 5m\n");
        dir.Write("c-linux.yml", "title: c\nid: cl\ncorrelation:\n    type: temporal\n    rules: [owa_auth_post, lin1]\n    timespan: 5m\n");
        dir.Write("c-chain.yml", "title: c\nid: cc\nname: loop_a\ncorrelation:\n    type: temporal\n    rules: [loop_b]\n    timespan: 5m\n---\ntitle: c\nid: cd\nname: loop_b\ncorrelation:\n    type: temporal\n    rules: [loop_a]\n    timespan: 5m\n");
        dir.Write("c-malformed.yml", "title: c\nid: cx\ncorrelation:\n    type: event_count\n    rules: [owa_auth_post]\n    timespan: 5 minutes\n    condition:\n        gte: 2\n---\ntitle: c\nid: cy\ncorrelation:\n    type: value_count\n    rules: [owa_auth_post]\n    timespan: 5m\n    condition:\n        gte: 2\n---\ntitle: c\nid: cz\ncorrelation:\n    type: near\n    rules: [owa_auth_post]\n    timespan: 5m\n---\ntitle: c\nid: cw\ncorrelation:\n    type: event_count\n    rules: [owa_auth_post]\n    timespan: 99999999999d\n    condition:\n        gte: 2\n---\ntitle: c\nid: cv\ncorrelation:\n    type: temporal\n    rules: [owa_auth_post, OWA_AUTH_POST]\n    timespan: 5m\n");
        var text = new StringWriter();
        Assert.Equal(0, RulesCommand.RunLint(dir.Path, json: true, text));
        output.WriteLine(text.ToString());
        using var doc = JsonDocument.Parse(text.ToString());
        var root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("loaded").GetInt32());
        Assert.Equal(2, root.GetProperty("correlations").GetInt32());
        Assert.Equal(1, root.GetProperty("unsupported_logsource").GetInt32());
        var reasons = root.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("reason").GetString()!);
        Assert.Contains("unsupported modifier 'bogus'", reasons["bad1"]);
        Assert.Equal("joins rule 'nowhere', which is not among the rules loaded", reasons["cm"]);
        Assert.StartsWith("joins rule 'bad_rule', which is rejected: ", reasons["cr"]);
        Assert.Contains("unsupported modifier 'bogus'", reasons["cr"]);
        Assert.Equal("joins rule 'lin1', whose log source exhunt does not read", reasons["cl"]);
        Assert.Contains("loops", reasons["cc"]);
        Assert.Contains("loops", reasons["cd"]);
        Assert.Contains("timespan '5 minutes'", reasons["cx"]);
        Assert.Contains("value_count correlation names no condition field", reasons["cy"]);
        Assert.Contains("unsupported correlation type 'near'", reasons["cz"]);
        Assert.Contains("longer than 3650 days", reasons["cw"]);
        Assert.Contains("names a rule twice", reasons["cv"]);
        Assert.Equal(11, reasons.Count);
    }

    [SkippableFact]
    public void SigmaHQ_rules_unmodified_correlate_on_the_otrf_proxylogon_dataset()
    {
        var zip = Corpus.Path_("otrf-proxylogon/proxylogon_ssrf_rce_poc.zip");
        using var mine = new Fixture.TempDir();
        // Two SigmaHQ rules, joined by id from another folder: the ProxyLogon OAB virtual directory change, then the
        // IIS worker starting processes; and a burst of such processes.
        mine.Write("mr_proxylogon_oab_then_process.yml", """
            title: ProxyLogon OAB virtual directory change, then the web server starts processes
            id: 0f000000-0000-4000-8000-0000000000c1
            correlation:
                type: temporal_ordered
                rules:
                    - 550d3350-bb8a-4ff3-9533-2ba533f4a1c0
                    - 8202070f-edeb-4d31-a010-a26c72ac5600
                timespan: 5m
                generate: true
            level: critical
            ---
            title: Burst of processes started by the web server
            id: 0f000000-0000-4000-8000-0000000000c2
            correlation:
                type: event_count
                rules:
                    - 8202070f-edeb-4d31-a010-a26c72ac5600
                timespan: 1m
                condition:
                    gte: 3
            level: high
            """);
        var sigma = SigmaLoader.Load([Corpus.Path_("sigma/rules/windows/builtin/msexchange"), Corpus.Path_("sigma/rules/windows/process_creation"), mine.Path]);
        Assert.Empty(sigma.Report.Rejected);
        Assert.Equal(2, sigma.Report.Correlations);
        var result = new Scanner(new ScanOptions { Rules = sigma.AddTo(RuleSet.BuiltIn()) }).Scan(zip);
        foreach (var f in result.Findings.Where(f => f.Rule.Id.StartsWith("sigma:0f", StringComparison.Ordinal)))
            output.WriteLine($"{f.Rule.Id} {f.Host} {f.Time:O} | {f.Evidence}");
        var ordered = Assert.Single(result.Findings, f => f.Rule.Id == "sigma:0f000000-0000-4000-8000-0000000000c1");
        Assert.Equal("mxs01", ordered.Host);
        Assert.Equal("2", ordered.Details!["records"]);
        Assert.Equal(10485, ordered.Record);
        var burst = Assert.Single(result.Findings, f => f.Rule.Id == "sigma:0f000000-0000-4000-8000-0000000000c2");
        Assert.Equal("4", burst.Details!["records"]);
        // generate: true on one correlation keeps the joined rules' own findings.
        Assert.Equal(4, result.Findings.Count(f => f.Rule.Id == "sigma:8202070f-edeb-4d31-a010-a26c72ac5600"));
        Assert.Equal(2, result.Sigma!.Correlations!.Hits);
    }

    [SkippableFact]
    public void Every_correlation_rule_of_the_sigmahq_tree_is_accounted_for()
    {
        var root = SigmaCorpus.Full();
        // Correlation documents: a top-level "correlation:" key (a multi-document file may hold several).
        var files = Directory.EnumerateFiles(root, "*.yml", SearchOption.AllDirectories)
            .Select(f => (Path: f, Count: System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"^correlation:", System.Text.RegularExpressions.RegexOptions.Multiline).Count))
            .Where(x => x.Count > 0).ToList();
        var documents = files.Sum(x => x.Count);
        var paths = files.Select(x => x.Path).ToHashSet(StringComparer.Ordinal);
        var folders = Directory.GetDirectories(root).Where(d => Path.GetFileName(d).StartsWith("rules", StringComparison.Ordinal) || Path.GetFileName(d) is "deprecated" or "unsupported").ToList();
        var report = SigmaLoader.Load(folders).Report;
        var rejected = report.Rejected.Where(r => paths.Contains(r.Path)).ToList();
        output.WriteLine($"SigmaHQ tree: {documents} correlation documents in {files.Count} files; {report.Correlations} correlations loaded, {rejected.Count} documents of those files rejected");
        foreach (var r in rejected) output.WriteLine($"{r.Path}: {r.Reason}");
        Assert.True(report.Correlations + rejected.Count >= documents, "every correlation document is loaded or rejected");
        Assert.True(report.Correlations <= documents);
        Assert.DoesNotContain(report.Rejected, r => r.Reason.Contains("not supported yet", StringComparison.Ordinal));
    }
}
