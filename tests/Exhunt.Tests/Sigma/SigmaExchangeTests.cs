using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;
using Exhunt.Tests.WebRules;
using Xunit.Abstractions;

namespace Exhunt.Tests.Sigma;

/// <summary>SigmaHQ's Exchange, web-shell and webserver rules, unmodified, on realistic input read by our readers.</summary>
public class SigmaExchangeTests(ITestOutputHelper output)
{
    private const string Hafnium = "sigma/rules-emerging-threats/2021/TA/HAFNIUM/web_exchange_exploitation_hafnium.yml";
    private const string HafniumId = "sigma:67bce556-312f-4c81-9162-c3c9ff2599b2";

    private static RuleSet Rules(params string[] corpusPaths) =>
        SigmaLoader.Load(corpusPaths.Select(Corpus.Path_)).AddTo(new RuleSet());

    [SkippableFact]
    public void Hafnium_webserver_rule_fires_on_iis_lines_and_not_on_benign_ones()
    {
        var rules = Rules(Hafnium);
        var log = WebLog.Iis(
            "2021-03-03 02:14:05 10.0.0.5 POST /owa/auth/Current/themes/resources/logon.css - 443 - 130.255.189.21 Mozilla/5.0+(compatible;+Googlebot/2.1;++http://www.google.com/bot.html) - 200 0 0 15",
            "2021-03-03 02:15:11 10.0.0.5 POST /ecp/DDI/DDIService.svc/SetObject schema=ResetOABVirtualDirectory&msExchEcpCanary=x 443 - 130.255.189.21 ExchangeServicesClient/0.0.0.0 - 200 0 0 31",
            "2021-03-03 02:16:00 10.0.0.5 GET /owa/auth/Current/themes/resources/logon.css - 443 - 10.1.1.20 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36 - 200 0 0 15",
            "2021-03-03 02:16:02 10.0.0.5 POST /owa/auth.owa - 443 - 10.1.1.20 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36 - 302 0 0 46",
            "2021-03-03 02:16:09 10.0.0.5 POST /owa/service.svc action=GetFolder&UA=0 443 CONTOSO\\alice 10.1.1.20 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36 - 200 0 0 46");
        var findings = LogLines.Run(WebLog.IisPath, log, rules: rules).Findings;
        foreach (var f in findings) output.WriteLine($"{f.Line} {f.Rule.Id} {f.Evidence}");
        Assert.Equal([5L, 6L], findings.Select(f => f.Line!.Value).Order());
        Assert.All(findings, f => Assert.Equal(HafniumId, f.Rule.Id));
        Assert.Equal("130.255.189.21", findings[0].ClientIp);
        Assert.Equal(Severity.High, findings[0].Severity);
        Assert.Equal(Proves.Attempt, findings[0].Rule.WithExploitation);
    }

    [SkippableFact]
    public void Hafnium_webserver_rule_fires_on_httpproxy_lines()
    {
        var rules = Rules(Hafnium);
        var log = WebLog.HttpProxy(
            WebLog.ProxyRow(new() { ["UrlStem"] = "/ecp/y.js", ["Method"] = "POST", ["UserAgent"] = "ExchangeServicesClient/0.0.0.0" }),
            WebLog.ProxyRow(new() { ["UrlStem"] = "/ecp/default.aspx", ["Method"] = "GET", ["UserAgent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", ["ClientIpAddress"] = "10.1.1.20" }),
            WebLog.ProxyRow(new() { ["UrlStem"] = "/owa/auth/Current/themes/resources/a.css", ["Method"] = "POST", ["UserAgent"] = "DuckDuckBot/1.0; (+http://duckduckgo.com/duckduckbot.html)" }));
        var findings = LogLines.Run(WebLog.EcpProxyPath, log, rules: rules).Findings;
        foreach (var f in findings) output.WriteLine($"{f.Line} {f.Rule.Id} {f.Evidence}");
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal(HafniumId, f.Rule.Id));
        Assert.DoesNotContain(findings, f => f.ClientIp == "10.1.1.20");
    }

    [SkippableFact]
    public void Web_shell_process_rules_fire_on_the_iis_webshell_sysmon_sample()
    {
        var set = SigmaLoader.Load([Corpus.Path_("sigma/rules")]);
        var evtx = Corpus.Path_("evtx/EVTX-ATTACK-SAMPLES/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx");
        var findings = SigmaCorpus.RunEvtx(set, evtx, out var stats);
        foreach (var g in findings.GroupBy(f => f.DisplayTitle)) output.WriteLine($"{g.Count()} {g.Key}");
        Assert.Equal(0, stats.Skipped);
        var webShell = findings.Where(f => f.Details!["sigma"].Contains("proc_creation_win_webshell_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(webShell);
        Assert.Contains(webShell, f => f.Evidence!.Contains("w3wp.exe", StringComparison.OrdinalIgnoreCase));
    }

    [SkippableFact]
    public void MSExchange_management_rules_fire_on_the_otrf_dataset_in_a_scan()
    {
        var zip = Corpus.Path_("otrf-proxylogon/proxylogon_ssrf_rce_poc.zip");
        var sigma = SigmaLoader.Load([Corpus.Path_("sigma/rules/windows/builtin/msexchange"), Corpus.Path_("sigma/rules/windows/process_creation")]);
        var result = new Scanner(new ScanOptions { Rules = sigma.AddTo(RuleSet.BuiltIn()) }).Scan(zip);
        var hits = result.Findings.Where(f => f.Rule.Id.StartsWith("sigma:", StringComparison.Ordinal)).ToList();
        foreach (var f in hits) output.WriteLine($"{f.Rule.Id} | {f.DisplayTitle} | {f.Host} | {f.Evidence}");
        var management = hits.Where(f => f.Details!["sigma"].Contains("msexchange", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(management);
        Assert.Contains(management, f => f.Evidence!.Contains("Set-OabVirtualDirectory", StringComparison.OrdinalIgnoreCase));
        Assert.All(hits, f => Assert.False(string.IsNullOrEmpty(f.Host)));
        Assert.Equal(Verdict.Compromised, result.Story.Verdict);
    }
}
