using Exhunt.Findings;

namespace Exhunt.Tests.WebRules;

/// <summary>
/// Issue 6, reproduction 9: python-requests is also what admins' scripts send. The HAFNIUM user-agent rule needs an
/// unauthenticated request, an external client or a known exploitation path; an authenticated internal client is weak.
/// </summary>
public class HafniumUserAgentTests
{
    private const string Canary = "msExchEcpCanary=e4e1d6c3b2a14f0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5";

    private static string IisLine(string stem, string query, string user, string clientIp, string ua = "python-requests/2.25.1", int status = 200) =>
        $"2021-03-05 09:14:05 10.0.0.5 POST {stem} {query} 443 {user} {clientIp} {ua} - {status} 0 0 46";

    private static Dictionary<string, string> ProxyRow(string stem, string query, bool authenticated, string user, string clientIp) => WebLog.ProxyRow(new()
    {
        ["UrlStem"] = stem, ["UrlQuery"] = query, ["IsAuthenticated"] = authenticated ? "true" : "false",
        ["AuthenticationType"] = authenticated ? "Negotiate" : "", ["AuthenticatedUser"] = user,
        ["AnchorMailbox"] = authenticated ? "Sid~S-1-5-21-1004336348-1177238915-682003330-1106" : "", ["RoutingHint"] = authenticated ? "WindowsIdentity" : "",
        ["UserAgent"] = "python-requests/2.25.1", ["ClientIpAddress"] = clientIp, ["HttpStatus"] = "200", ["BackEndStatus"] = "200",
    });

    [Fact]
    public void Authenticated_internal_admin_script_on_ecp_ddi_is_weak_in_iis()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            IisLine("/ecp/DDI/DDIService.svc/GetList", "schema=MessageTraceSearch&" + Canary, @"CONTOSO\exadmin", "10.20.1.15")));
        Assert.DoesNotContain(findings, f => f.Rule.Id == "web-hafnium-user-agent");
        var f = Assert.Single(findings.Of("web-hafnium-user-agent-internal-auth"));
        Assert.Equal(Severity.Low, f.Severity);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
        Assert.Null(f.Rule.WithExploitation);
        Assert.Equal("authenticated internal client", f.Details!["why"]);
        Assert.DoesNotContain(findings, x => x.Rule.Implies >= Proves.Attempt);
    }

    [Fact]
    public void Authenticated_internal_admin_script_on_ecp_ddi_is_weak_in_httpproxy()
    {
        var findings = WebLog.Detect(WebLog.EcpProxyPath, WebLog.HttpProxy(
            ProxyRow("/ecp/DDI/DDIService.svc/GetList", "?schema=MessageTraceSearch&" + Canary, true, @"CONTOSO\exadmin", "10.20.1.15")));
        Assert.DoesNotContain(findings, f => f.Rule.Id == "web-hafnium-user-agent");
        Assert.Single(findings.Of("web-hafnium-user-agent-internal-auth"));
        Assert.DoesNotContain(findings, x => x.Rule.Implies >= Proves.Attempt);
    }

    [Fact]
    public void Unauthenticated_request_keeps_the_attempt()
    {
        var iis = WebLog.Detect(WebLog.IisPath, WebLog.Iis(IisLine("/ecp/DDI/DDIService.svc/GetList", "schema=VirtualDirectory&" + Canary, "-", "10.20.1.15")));
        var f = Assert.Single(iis.Of("web-hafnium-user-agent"));
        Assert.Equal(Proves.Attempt, f.Rule.Implies);
        Assert.Equal("unauthenticated", f.Details!["why"]);
        var proxy = WebLog.Detect(WebLog.EcpProxyPath, WebLog.HttpProxy(ProxyRow("/ecp/DDI/DDIService.svc/GetList", "?" + Canary, false, "", "10.20.1.15")));
        Assert.Single(proxy.Of("web-hafnium-user-agent"));
    }

    [Fact]
    public void External_client_keeps_the_attempt_even_when_authenticated()
    {
        var iis = WebLog.Detect(WebLog.IisPath, WebLog.Iis(IisLine("/ecp/DDI/DDIService.svc/GetList", "schema=MessageTraceSearch&" + Canary, @"CONTOSO\exadmin", "89.34.111.11")));
        Assert.Equal("external client", Assert.Single(iis.Of("web-hafnium-user-agent")).Details!["why"]);
        var proxy = WebLog.Detect(WebLog.EcpProxyPath, WebLog.HttpProxy(ProxyRow("/ecp/DDI/DDIService.svc/GetList", "?" + Canary, true, @"CONTOSO\exadmin", "89.34.111.11")));
        Assert.Single(proxy.Of("web-hafnium-user-agent"));
        Assert.Empty(proxy.Of("web-hafnium-user-agent-internal-auth"));
    }

    [Theory]
    [InlineData("/ecp/DDI/DDIService.svc/SetObject", "schema=ResetOABVirtualDirectory&" + Canary)]
    [InlineData("/ecp/proxyLogon.ecp", "-")]
    [InlineData("/ecp/y.js", "-")]
    public void Known_exploitation_path_keeps_the_attempt_from_an_authenticated_internal_client(string stem, string query)
    {
        // The back end sees the front end's address and the SSRF's identity: internal and authenticated.
        var iis = WebLog.Detect(WebLog.IisPath, WebLog.Iis(IisLine(stem, query, @"CONTOSO\EX01$", "10.0.0.5")));
        var f = Assert.Single(iis.Of("web-hafnium-user-agent"));
        Assert.Equal("exploitation path", f.Details!["why"]);
        Assert.Empty(iis.Of("web-hafnium-user-agent-internal-auth"));
    }

    [Fact]
    public void Ordinary_browsers_and_gets_stay_quiet()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            IisLine("/ecp/DDI/DDIService.svc/GetList", "schema=MessageTraceSearch&" + Canary, @"CONTOSO\exadmin", "10.20.1.15",
                "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36"),
            $"2021-03-05 09:14:06 10.0.0.5 GET /ecp/DDI/DDIService.svc/GetList schema=x 443 CONTOSO\\exadmin 10.20.1.15 python-requests/2.25.1 - 200 0 0 46"));
        Assert.DoesNotContain(findings, f => f.Rule.Id.StartsWith("web-hafnium-user-agent"));
    }
}
