using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.WebRules;

public class ProxyLogonSsrfTests
{
    private static List<Finding> Run(params Dictionary<string, string>[] overrides) =>
        WebLog.Detect(WebLog.EcpProxyPath, WebLog.HttpProxy(overrides.Select(WebLog.ProxyRow).ToArray()));

    [Fact]
    public void ProxyLogon_ecp_session_with_status_241_is_a_succeeded_ssrf()
    {
        var findings = Run(new Dictionary<string, string> { ["AnchorMailbox"] = "ServerInfo~a]@ex01.contoso.local:444/ecp/proxyLogon.ecp?#", ["HttpStatus"] = "241", ["RoutingHint"] = "X-BEResource-Cookie" });
        var f = Assert.Single(findings.Of("exch-ssrf-serverinfo"));
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Contains("proxyLogon.ecp", f.DisplayTitle);
        Assert.Equal("130.255.189.21", f.ClientIp);
        Assert.Equal("ExchangeServicesClient/0.0.0.0", f.UserAgent);
        Assert.Equal(6, f.Line);
        Assert.Equal(new DateTime(2021, 3, 3, 2, 14, 5, 123, DateTimeKind.Utc), f.Time);
        Assert.Equal("ServerInfo~a]@ex01.contoso.local:444/ecp/proxyLogon.ecp?#", f.Evidence);
        Assert.Equal("ecp", f.Details!["protocol"], ignoreCase: true);
        Assert.Empty(findings.Of("exch-ssrf-backend-cookie"));
    }

    [Theory]
    [InlineData("200", Outcome.Succeeded)]
    [InlineData("500", Outcome.Failed)]
    [InlineData("503", Outcome.Failed)]
    [InlineData("404", Outcome.Failed)]
    [InlineData("302", Outcome.Unknown)]
    public void Back_end_action_outcome_follows_the_status(string status, Outcome expected)
    {
        var findings = Run(new Dictionary<string, string> { ["AnchorMailbox"] = "ServerInfo~a]@ex01:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=x&schema=OABVirtualDirectory#", ["HttpStatus"] = status });
        Assert.Equal(expected, Assert.Single(findings.Of("exch-ssrf-serverinfo")).Outcome);
    }

    [Fact]
    public void Matches_case_insensitively_like_powershell()
    {
        var findings = Run(new Dictionary<string, string> { ["AnchorMailbox"] = "serverinfo~EX01/ecp/y.js#", ["HttpStatus"] = "200" });
        Assert.Single(findings.Of("exch-ssrf-serverinfo"));
    }

    [Fact]
    public void Autodiscover_only_and_localhost_targets_are_kept_as_failed_probes()
    {
        var findings = Run(
            new() { ["AnchorMailbox"] = "ServerInfo~a]@ex01:444/autodiscover/autodiscover.xml?#", ["HttpStatus"] = "200" },
            new() { ["AnchorMailbox"] = "ServerInfo~localhost/ecp/default.flt?", ["HttpStatus"] = "500" });
        Assert.Empty(findings.Of("exch-ssrf-serverinfo"));
        var probes = findings.Of("exch-ssrf-serverinfo-probe");
        Assert.Equal(2, probes.Count);
        Assert.All(probes, p => Assert.Equal(Outcome.Failed, p.Outcome));
        Assert.All(probes, p => Assert.Equal(Proves.Attempt, p.Rule.Implies));
        Assert.All(probes, p => Assert.True(p.Severity < Severity.High));
    }

    [Fact]
    public void Authenticated_server_to_server_proxying_stays_quiet()
    {
        var findings = Run(
            new() { ["AnchorMailbox"] = "ServerInfo~ex02.contoso.local/ecp/", ["AuthenticatedUser"] = "CONTOSO\\admin", ["IsAuthenticated"] = "true", ["RoutingHint"] = "X-BEResource-Cookie", ["UserAgent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" },
            new() { ["AnchorMailbox"] = "MailboxGuid~0aa89cf8-aa07-4103-8a1d-ca9e619f223e", ["UrlStem"] = "/ecp/", ["AuthenticatedUser"] = "CONTOSO\\bob", ["IsAuthenticated"] = "true", ["RoutingHint"] = "MailboxGuidWithDomain", ["UserAgent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", ["BackEndCookie"] = "Database~a6c4dbb1-3265-4fbf-9dc6-754dffd67275~~2024-02-23T15:26:43" },
            new() { ["AnchorMailbox"] = "Sid~S-1-5-21-1-2-3-1104", ["UrlStem"] = "/owa/", ["UserAgent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", ["AuthenticatedUser"] = "bob@contoso.com", ["IsAuthenticated"] = "true" });
        Assert.Empty(findings);
    }

    [Fact]
    public void Backend_cookie_variants_fire_without_a_serverinfo_anchor()
    {
        var findings = Run(
            new() { ["BackEndCookie"] = "Server~ex01.contoso.local/ecp/default.flt?~1942062522", ["HttpStatus"] = "200" },
            new() { ["RoutingHint"] = "X-AnonResource-Backend-Cookie", ["UrlStem"] = "/owa/auth/x.js", ["HttpStatus"] = "500" });
        var hits = findings.Of("exch-ssrf-backend-cookie");
        Assert.Equal(2, hits.Count);
        Assert.Equal(Outcome.Succeeded, hits[0].Outcome);
        Assert.Equal(Outcome.Failed, hits[1].Outcome);
        Assert.Equal("X-AnonResource-Backend-Cookie", hits[1].Evidence);
    }

    [Fact]
    public void X_BEResource_routing_hint_alone_is_weak_and_never_claims_success()
    {
        var findings = Run(new Dictionary<string, string> { ["RoutingHint"] = "X-BEResource-Cookie", ["UrlStem"] = "/ecp/", ["Method"] = "GET", ["UserAgent"] = "Mozilla/5.0", ["HttpStatus"] = "200" });
        var f = Assert.Single(findings);
        Assert.Equal("exch-ssrf-beresource-hint", f.Rule.Id);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
        Assert.Equal(Outcome.Unknown, f.Outcome);
    }

    [SkippableFact]
    public void Real_localhost_probe_from_signature_base_pr125_is_a_failed_attempt()
    {
        var path = Corpus.Path_("logs/real/signature-base-pr125/httpproxy_owa__cve-2021-26855_x.js_ServerInfo_localhost.log");
        var findings = WebLog.Detect("Exchange/Logging/HttpProxy/Owa/HttpProxy_2021030715-1.LOG", File.ReadAllText(path), ArtifactKind.HttpProxy);
        var f = Assert.Single(findings);
        Assert.Equal("exch-ssrf-serverinfo-probe", f.Rule.Id);
        Assert.Equal(Outcome.Failed, f.Outcome);
        Assert.Equal("ServerInfo~localhost/ecp/default.flt?", f.Evidence);
        Assert.Equal("500", f.Details!["httpStatus"]);
    }

    [SkippableFact]
    public void Lab_httpproxy_ecp_row_from_wazuh_fires_the_ssrf_rule()
    {
        var path = Corpus.Path_("logs/lab/wazuh-ruleset-tests/httpproxy_ecp__proxylogon_lab.log");
        var findings = WebLog.Detect("Exchange/Logging/HttpProxy/Ecp/HttpProxy_2021040614-1.LOG", File.ReadAllText(path), ArtifactKind.HttpProxy);
        var f = Assert.Single(findings.Of("exch-ssrf-serverinfo"));
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Equal("192.168.0.127", f.ClientIp);
        Assert.StartsWith("ServerInfo~Admin@WIN-03FGEGKLSPR:444/ecp/DDI/DDIService.svc/GetList", f.Evidence);
    }

    [SkippableFact]
    public void Benign_elastic_httpproxy_row_stays_quiet()
    {
        var path = Corpus.Path_("logs/benign/elastic-integrations/microsoft_exchange_server__test-httpproxy.log");
        Assert.Empty(WebLog.Detect("Exchange/Logging/HttpProxy/Mapi/HttpProxy_2024012415-1.LOG", File.ReadAllText(path), ArtifactKind.HttpProxy));
    }
}
