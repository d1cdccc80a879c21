using System.Buffers;
using Exhunt.Demo;
using Exhunt.Detection;
using Exhunt.Detection.Web;
using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Tests.Demo;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Detection;

/// <summary>
/// The text-log line prefilter (ILogRule.LineNeedles). Every rule test also runs with it off and on through
/// LogLines.Run; these tests cover the whole scan, the reader's unsplit path and the encodings needles must survive.
/// </summary>
public sealed class LinePrefilterTests(DemoSet set) : IClassFixture<DemoSet>
{
    private const string IisHeader = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-03 00:00:00\n" +
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";

    private const string IisPath = "C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log";

    private static void Nothing(ReadOnlySpan<char> text, List<int> hits) { }

    [Fact]
    public void The_demo_evidence_scans_to_identical_findings_coverage_and_counts_with_and_without_the_prefilter()
    {
        var on = new Scanner(new ScanOptions { LinePrefilter = true }).Scan(set.Folder);
        var off = new Scanner(new ScanOptions { LinePrefilter = false }).Scan(set.Folder);
        Assert.NotEmpty(on.Findings);
        Assert.Equal(LogLines.Describe(off.Findings), LogLines.Describe(on.Findings));
        Assert.Equal(off.Coverage, on.Coverage);
        Assert.Equal(off.Story.Verdict, on.Story.Verdict);
        static string Stats(ScanResult r) => string.Join("\n", r.Artifacts.OrderBy(a => a.File.RelativePath, StringComparer.Ordinal)
            .Select(a => $"{a.File.RelativePath} {a.Stats.Records} {a.Stats.Skipped} {a.Stats.First:O} {a.Stats.Last:O} {string.Join("|", a.Stats.Errors)}"));
        Assert.Equal(Stats(off), Stats(on));
    }

    [Fact]
    public void Every_built_in_log_rule_but_the_rps_http_clientinfo_rule_declares_needles()
    {
        var rules = RuleSet.BuiltIn();
        var without = rules.LogRules.Where(r => r.LineNeedles is null).Select(r => r.GetType().Name).ToList();
        Assert.Equal(["RpsHttpClientInfoRule"], without);
        Assert.All(rules.LogRules.Where(r => r.LineNeedles is not null), r => Assert.All(r.LineNeedles!, n => Assert.True(n.Length >= 2 || n == "%", $"{r.GetType().Name}: '{n}'")));
        foreach (var kind in new[] { ArtifactKind.Iis, ArtifactKind.HttpProxy, ArtifactKind.EcpServer, ArtifactKind.EcpActivity, ArtifactKind.RpsCmdlet, ArtifactKind.OabGenerator })
            Assert.NotNull(rules.LinePrefilterFor(kind));
        // RpsHttp's client-info rule needs every line and gets it; the other RpsHttp rules keep their needles.
        Assert.NotNull(rules.LinePrefilterFor(ArtifactKind.RpsHttp));
        Assert.Contains(rules.LogRouteFor(ArtifactKind.RpsHttp).Rules, r => r.LineNeedles is not null);
        Assert.Contains(rules.LogRouteFor(ArtifactKind.RpsHttp).EveryLineRules, r => r is RpsHttpClientInfoRule);
    }

    [Fact]
    public void A_rule_that_must_see_every_line_does_not_switch_the_prefilter_off_for_the_others_of_its_kind()
    {
        var rules = new RuleSet();
        rules.LogRules.Add(new OabDownloadPathRule());
        var alone = rules.LinePrefilterFor(ArtifactKind.OabGenerator);
        Assert.NotNull(alone);
        var mixed = new RuleSet();
        mixed.LogRules.Add(new OabDownloadPathRule());
        mixed.LogRules.Add(new EveryLine());
        Assert.Equal(alone.Needles, mixed.LinePrefilterFor(ArtifactKind.OabGenerator)!.Needles);
        var route = mixed.LogRouteFor(ArtifactKind.OabGenerator);
        Assert.Equal([false, true], route.EveryLine);
        Assert.IsType<EveryLine>(Assert.Single(route.EveryLineRules));
        // An empty needle would match every line: that rule gets every line, the others keep theirs.
        var empty = new RuleSet();
        empty.LogRules.Add(new OabDownloadPathRule());
        empty.LogRules.Add(new Spy([""]));
        Assert.Equal(alone.Needles, empty.LinePrefilterFor(ArtifactKind.OabGenerator)!.Needles);
        Assert.Equal([false, true], empty.LogRouteFor(ArtifactKind.OabGenerator).EveryLine);
    }

    [Fact]
    public void With_a_no_needle_rule_present_the_needle_rules_get_only_their_lines_and_it_gets_every_line()
    {
        var text = IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/ - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:56 10.0.0.5 POST /owa/ - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:57 10.0.0.5 GET /ecp/ - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n";
        var file = Fixture.File(IisPath, text);
        foreach (var prefilter in new[] { true, false })
        {
            var spy = new Spy(["POST"]);
            var every = new EveryLine();
            var rules = new RuleSet();
            rules.LogRules.Add(spy);
            rules.LogRules.Add(every);
            using var s = file.Open();
            LogRuleRunner.Run(rules, file, s, new ReaderStats(), new ScanContext(), prefilter);
            Assert.Equal(3, every.Seen);
            Assert.Equal(prefilter ? 1 : 3, spy.Seen);
        }
    }

    [Fact]
    public void The_demo_evidence_scans_to_identical_findings_with_and_without_the_prefilter_with_a_no_needle_rule_present()
    {
        ScanResult Scan(bool prefilter, EveryLine every)
        {
            var rules = RuleSet.BuiltIn();
            rules.LogRules.Add(every);
            return new Scanner(new ScanOptions { LinePrefilter = prefilter, Rules = rules }).Scan(set.Folder);
        }
        var everyOn = new EveryLine();
        var everyOff = new EveryLine();
        var on = Scan(true, everyOn);
        var off = Scan(false, everyOff);
        Assert.NotEmpty(on.Findings);
        Assert.Equal(LogLines.Describe(off.Findings), LogLines.Describe(on.Findings));
        Assert.Equal(off.Story.Verdict, on.Story.Verdict);
        Assert.True(everyOn.Seen > 1000, $"{everyOn.Seen} lines");
        Assert.Equal(everyOff.Seen, everyOn.Seen);
        // And the same findings as the built-in set alone.
        var plain = new Scanner(new ScanOptions { LinePrefilter = true }).Scan(set.Folder);
        Assert.Equal(LogLines.Describe(plain.Findings), LogLines.Describe(on.Findings));
    }

    [Fact]
    public void A_sigma_webserver_rule_without_literals_does_not_switch_the_prefilter_off_for_the_built_in_rules()
    {
        var sigma = Exhunt.Detection.Sigma.SigmaLoader.LoadText("title: Any POST\nid: 5f4cd1e3-0000-4000-8000-000000000002\nlevel: low\n" +
            "logsource:\n    category: webserver\ndetection:\n    sel:\n        cs-method|re: '^P[O]ST$'\n    condition: sel\n");
        Assert.Equal(1, sigma.Report.Loaded);
        Assert.Null(sigma.LineNeedles);
        var rules = sigma.AddTo(RuleSet.BuiltIn());
        var builtIn = RuleSet.BuiltIn().LinePrefilterFor(ArtifactKind.Iis)!;
        Assert.Equal(builtIn.Needles, rules.LinePrefilterFor(ArtifactKind.Iis)!.Needles);
        Assert.Contains(rules.LogRouteFor(ArtifactKind.Iis).EveryLineRules, r => r is Exhunt.Detection.Sigma.SigmaWebRules);

        var text = IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 POST /owa/auth/x.js - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:56 10.0.0.5 POST /ecp/y.js - 443 - 104.140.114.110 python-requests/2.25.1 - 200 0 0 62\n" +
            "2021-03-03 04:12:57 10.0.0.5 GET /owa/ - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n";
        var findings = LogLines.Detect(IisPath, text, rules: rules); // asserts prefilter on and off agree
        Assert.Equal(2, findings.Count(f => f.Rule.Id.StartsWith("sigma:", StringComparison.Ordinal)));
        Assert.Equal(LogLines.Describe(LogLines.Detect(IisPath, text)),
            LogLines.Describe(findings.Where(f => !f.Rule.Id.StartsWith("sigma:", StringComparison.Ordinal))));
        Assert.Contains(findings, f => f.Rule.Id == "ioc-ip-known-attacker");
    }

    private sealed class EveryLine : ILogRule
    {
        public int Seen;
        public bool Handles(ArtifactKind kind) => true;
        public void Inspect(LogRecord record, ScanContext context) => Interlocked.Increment(ref Seen);
    }

    private sealed class Spy(IReadOnlyList<string> needles) : ILogRule
    {
        public int Seen;
        public bool Handles(ArtifactKind kind) => true;
        public void Inspect(LogRecord record, ScanContext context) => Interlocked.Increment(ref Seen);
        public IReadOnlyList<string>? LineNeedles => needles;
    }

    [Fact]
    public void Filtered_iis_lines_are_counted_and_timed_without_reaching_the_rules()
    {
        var text = IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/ - 443 - 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 62\n" +
            "- - 10.0.0.5 GET /owa/ - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-02 23:59:59 10.0.0.5 GET /owa/ - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n" +
            "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n" +
            "2021-03-04\n";
        var (seen, plain) = ReadBoth(IisPath, text);
        Assert.Equal(0, seen);
        Assert.Equal(2, plain.Records); // the repeated header row is not data in either path
        Assert.Equal(2, plain.Unparsed); // "- -" has no time, "2021-03-04" no separator: junk, not records, in either path
        Assert.Equal(new DateTime(2021, 3, 2, 23, 59, 59, DateTimeKind.Utc), plain.First);
        Assert.Equal(new DateTime(2021, 3, 3, 4, 12, 55, DateTimeKind.Utc), plain.Last);
    }

    [Fact]
    public void Filtered_exchange_lines_match_the_full_path_with_quotes_repeated_headers_and_a_late_datetime_column()
    {
        const string head = "#Software: Microsoft Exchange Server\n#Version: 15.01.2176.002\n#Log-type: HttpProxy Logs\n#Date: 2021-03-03T02:00:00.000Z\n";
        var leading = head + "#Fields: DateTime,RequestId,UrlStem,UserAgent\n" +
            "2021-03-03T02:00:01.000Z,1,/owa/,Mozilla\n" +
            "2021-03-03T02:00:02.000Z,2,/owa/,\"Mozilla, \"\"quoted\"\"\"\n" +
            "2021-03-03T02:00:03.000Z,3,/owa/,\"unterminated\n" +
            "DateTime,RequestId,UrlStem,UserAgent\n" +
            "DateTime,RequestId,short\n" +
            "2021-03-03T01:00:00.000Z\n";
        var (seen, plain) = ReadBoth("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", leading, ArtifactKind.HttpProxy);
        Assert.Equal(0, seen);
        Assert.Equal(3, plain.Records);
        Assert.Equal(2, plain.Unparsed); // "DateTime,RequestId,short" has no valid time, a bare timestamp no separator
        Assert.Contains(plain.Errors, e => e.Contains("unterminated"));

        var late = head + "#Fields: RequestId,A,B,C,D,E,F,G,H,I,DateTime\n" + "1,a,b,c,d,e,f,g,h,i,2021-03-03T02:00:01.000Z\n";
        var (_, lateStats) = ReadBoth("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", late, ArtifactKind.HttpProxy);
        Assert.Equal(new DateTime(2021, 3, 3, 2, 0, 1, DateTimeKind.Utc), lateStats.First);

        // No #Fields header: the default column list is only assumed on a matching column count, so lines are split.
        var (_, headerless) = ReadBoth("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", "2021-03-03T02:00:01.000Z,1,2\nplain\n", ArtifactKind.HttpProxy);
        Assert.Equal(1, headerless.Records);
        Assert.Equal(1, headerless.Unparsed); // "plain" has no timestamp
    }

    /// <summary>Reads with a filter that passes nothing and without one; asserts the stats agree and returns the first.</summary>
    private static (int Seen, ReaderStats Stats) ReadBoth(string path, string text, ArtifactKind? kind = null)
    {
        var file = Fixture.File(path, text, kind);
        var filtered = new ReaderStats();
        var seen = 0;
        using (var s = file.Open()) new TextLogReader(file, filtered).Read(s, _ => seen++, Nothing);
        var plain = new ReaderStats();
        using (var s = file.Open()) new TextLogReader(file, plain).Read(s, _ => { });
        Assert.Equal((plain.Records, plain.Skipped, plain.First, plain.Last), (filtered.Records, filtered.Skipped, filtered.First, filtered.Last));
        Assert.Equal(plain.Errors, filtered.Errors);
        return (seen, filtered);
    }

    [Theory]
    [InlineData("\n", false)]
    [InlineData("\r\n", true)]
    public void The_buffer_wide_search_hands_on_exactly_the_lines_a_line_by_line_search_would(string newline, bool bom)
    {
        // Over several 64 KiB buffers, hits at the start, the middle and the end of lines, two in one line, one in the
        // last line (no newline after it), and non-ASCII text around them.
        var rng = new Random(7);
        var sb = new System.Text.StringBuilder(IisHeader.Replace("\n", newline));
        string[] shapes =
        [
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/ - 443 - 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 62",
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/auth/logon.aspx url=%2fowa%2f 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62",
            "2021-03-03 04:12:55 10.0.0.5 POST /ecp/y.js - 443 - 104.140.114.110 python-requests/2.25.1 - 200 0 0 62",
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/é漢字 - 443 - 198.51.100.23 Ünïcödé/1.0 - 200 0 0 62",
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/ - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 /powershell",
        ];
        var expected = 0;
        var filter = RuleSet.BuiltIn().LinePrefilterFor(ArtifactKind.Iis)!;
        for (var i = 0; i < 3000; i++)
        {
            var line = shapes[rng.Next(shapes.Length)];
            if (filter.Matches(line)) expected++;
            sb.Append(line).Append(newline);
        }
        sb.Append(shapes[2]);
        expected++;
        var bytes = System.Text.Encoding.UTF8.GetBytes(sb.ToString());
        if (bom) bytes = [0xEF, 0xBB, 0xBF, .. bytes];
        var file = Fixture.File(IisPath, bytes);
        var seen = 0;
        var stats = new ReaderStats();
        using (var s = file.Open()) new TextLogReader(file, stats).Read(s, _ => seen++, filter.FindLines);
        Assert.True(bytes.Length > 3 * 65536);
        Assert.Equal(3001, stats.Records);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void Filtered_lines_allocate_nothing_per_line()
    {
        static long Allocated(int lines)
        {
            var sb = new System.Text.StringBuilder(IisHeader);
            for (var i = 0; i < lines; i++)
                sb.Append($"2021-03-03 04:{i / 60 % 60:00}:{i % 60:00} 10.0.0.5 POST /EWS/Exchange.asmx - 443 user 198.51.100.{i % 200} Outlook - 200 0 0 62\n");
            var file = Fixture.File(IisPath, sb.ToString());
            var filter = RuleSet.BuiltIn().LinePrefilterFor(ArtifactKind.Iis)!;
            var stats = new ReaderStats();
            using var s = file.Open();
            var before = GC.GetAllocatedBytesForCurrentThread();
            new TextLogReader(file, stats).Read(s, _ => { }, Nothing);
            var after = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal(lines, stats.Records);
            Assert.NotNull(filter);
            return after - before;
        }
        Allocated(100); // warm-up
        // The least of three: a pooled read buffer another test on this core happened to take shows as a one-off 64 KiB.
        var small = Enumerable.Range(0, 3).Min(_ => Allocated(1000));
        var large = Enumerable.Range(0, 3).Min(_ => Allocated(20000));
        Assert.True(large - small < 4096, $"1,000 lines: {small} bytes, 20,000 lines: {large} bytes");
    }

    [Fact]
    public void Percent_encoded_autodiscover_still_reaches_the_rule()
    {
        var findings = LogLines.Detect(IisPath, IisHeader +
            "2022-09-29 10:00:00 10.0.0.5 GET /%61utodiscover/autodiscover.json @evil.com/powershell/?X-Rps-CAT=x 443 - 198.51.100.23 python-requests/2.28 - 200 0 0 62\n" +
            "2022-09-29 10:00:01 10.0.0.5 GET /Autodiscover/%41utodiscover.json @evil.com/owa/ 443 - 198.51.100.23 python-requests/2.28 - 400 0 0 62\n", rules: Web());
        Assert.Contains(findings, f => f.Rule.Id == "web-proxyshell-powershell");
        Assert.Contains(findings, f => f.Rule.Id == "web-autodiscover-ssrf-probe");
        Assert.Equal(["a.", "%"], Needles.Decoded("a."));
        Assert.Equal("=net", Needles.RunOf("=net user"));
        Assert.Equal(@"C:\inetpub\wwwroot\aspnet_client", Needles.RunOf(@"cd /d C:\inetpub\wwwroot\aspnet_client"));
    }

    [Fact]
    public void Hafnium_agents_match_as_iis_and_httpproxy_write_them()
    {
        var iis = LogLines.Detect(IisPath, IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 POST /owa/auth/Current/themes/resources/logon.css - 443 - 198.51.100.23 Mozilla/5.0+(compatible;+Baiduspider/2.0;++http://www.baidu.com/search/spider.html) - 200 0 0 62\n", rules: Web());
        Assert.Contains(iis, f => f.Rule.Id == "web-hafnium-user-agent");
        Assert.Equal("Baiduspider/2.0;", Needles.UserAgentRun("Mozilla/5.0+(compatible;+Baiduspider/2.0;++http://www.baidu.com/search/spider.html)"));
        Assert.Equal("python-requests/2.19.1", Needles.UserAgentRun("python-requests/2.19.1"));
    }

    [Fact]
    public void A_zero_padded_address_is_not_a_known_ip_in_either_mode()
    {
        var findings = LogLines.Detect(IisPath, IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/ - 443 - 104.140.114.110 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:56 10.0.0.5 GET /owa/ - 443 - 005.254.043.018 Mozilla/5.0 - 200 0 0 62\n");
        var hit = Assert.Single(findings, f => f.Rule.Id == "ioc-ip-known-attacker");
        Assert.Equal("104.140.114.110", hit.ClientIp);
    }

    [Fact]
    public void Like_does_not_fold_the_long_s_into_an_ascii_s()
    {
        // ToUpperInvariant('ſ') is 'S'; ordinal ignore-case (the prefilter's comparison) keeps them apart, so must Like.
        Assert.False(WebText.Like("\u017FerverInfo~a/b", "ServerInfo~*/*"));
        Assert.True(WebText.Like("sERVERinfo~a/b", "ServerInfo~*/*"));
    }

    private static RuleSet Web()
    {
        var set = new RuleSet();
        set.LogRules.AddRange(RuleSet.BuiltIn().LogRules.Where(r => r.GetType().Namespace == "Exhunt.Detection.Web"));
        return set;
    }
}
