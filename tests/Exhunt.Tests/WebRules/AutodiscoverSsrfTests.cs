using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.WebRules;

public class AutodiscoverSsrfTests
{
    private const string Cafe = "&CorrelationID=<empty>;&cafeReqId=077855a1-9ca4-41e4-b610-745ed366d396;";

    private static string Line(string method, string stem, string query, string user, string ua, int status) =>
        $"2021-08-23 09:13:18 172.28.30.86 {method} {stem} {query} 443 {user} 10.255.249.78 {ua} - {status} 0 0 55";

    private static List<Finding> Iis(params string[] lines) => WebLog.Detect("C/inetpub/logs/LogFiles/W3SVC1/u_ex210823.log", WebLog.Iis(lines));

    [SkippableFact]
    public void Simulated_nextron_hafnium_dummy_line_is_a_succeeded_proxyshell()
    {
        var path = Corpus.Path_("logs/simulated/nextron-aptsimulator/hafnium-dummy.log");
        var findings = WebLog.Detect("C/inetpub/logs/LogFiles/W3SVC2/u_ex210823.log", File.ReadAllText(path));
        var f = Assert.Single(findings);
        Assert.Equal("web-proxyshell-powershell", f.Rule.Id);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal("Python PSRP Client", f.UserAgent);
        Assert.Equal("10.255.249.78", f.ClientIp);
        Assert.StartsWith("/autodiscover/autodiscover.json?@a.a/powershell/?&Email=autodiscover/autodiscover.json%3F@a.a&X-Rps-CAT=", f.Evidence);
        Assert.Contains("CVE-2021-34473", f.Rule.Cves);
    }

    [Theory]
    [InlineData(200, Outcome.Succeeded)]
    [InlineData(401, Outcome.Failed)]
    [InlineData(404, Outcome.Failed)]
    public void ProxyShell_powershell_outcome_follows_the_status(int status, Outcome expected)
    {
        var f = Assert.Single(Iis(Line("POST", "/autodiscover/autodiscover.json", "@evil.corp/powershell/?&Email=autodiscover/autodiscover.json%3F@evil.corp&X-Rps-CAT=VgEAVAdXaW5k" + Cafe, "-", "Python+PSRP+Client", status)));
        Assert.Equal("web-proxyshell-powershell", f.Rule.Id);
        Assert.Equal(expected, f.Outcome);
    }

    [Theory]
    [InlineData("@evil.corp/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.corp", 200, Outcome.Succeeded)]
    [InlineData("@evil.corp/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.corp", 302, Outcome.Succeeded)]
    [InlineData("@evil.corp/EWS/exchange.asmx?&Email=autodiscover/autodiscover.json%3F@evil.corp", 401, Outcome.Failed)]
    public void ProxyShell_back_end_ssrf(string query, int status, Outcome expected)
    {
        var f = Assert.Single(Iis(Line("POST", "/autodiscover/autodiscover.json", query + Cafe, "-", "python-requests/2.26.0", status)));
        Assert.Equal("web-proxyshell-ssrf", f.Rule.Id);
        Assert.Equal(expected, f.Outcome);
    }

    [Fact]
    public void Marker_only_requests_are_probes_that_never_count_as_succeeded()
    {
        var findings = Iis(
            Line("GET", "/autodiscover/autodiscover.json", "@foo.com/owa/?&Email=autodiscover/autodiscover.json%3F@foo.com" + Cafe, "-", "Mozilla/5.0", 302),
            Line("GET", "/owa/", "&Email=autodiscover/autodiscover.json%3F@test.com&ClientId=ABCDEF" + Cafe, "-", "Mozilla/5.0+(compatible;+Nessus)", 401));
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal("web-autodiscover-ssrf-probe", f.Rule.Id));
        Assert.Equal(Outcome.Unknown, findings[0].Outcome);
        Assert.Equal(Outcome.Failed, findings[1].Outcome);
        Assert.Equal("Nessus ProxyShell/ProxyNotShell check shape", findings[1].Details!["scanner"]);
    }

    [Fact]
    public void Authenticated_encoded_powershell_is_proxynotshell()
    {
        var f = Assert.Single(Iis(Line("POST", "/autodiscover/autodiscover.json", "@evil.com/owa/&Email=autodiscover/autodiscover.json%3f@evil.com&Protocol=XYZ&FooProtocol=%50owershell" + Cafe, "CONTOSO\\lowpriv", "python-requests/2.28.1", 200)));
        Assert.Equal("web-proxynotshell-powershell", f.Rule.Id);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Equal("CONTOSO\\lowpriv", f.User);
    }

    [Fact]
    public void Normal_outlook_autodiscover_and_remote_powershell_stay_quiet()
    {
        var findings = Iis(
            Line("GET", "/autodiscover/autodiscover.json/v1.0/bob@contoso.com", "Protocol=EWS&RedirectCount=1" + Cafe, "-", "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.5404;+Pro)", 200),
            Line("GET", "/autodiscover/autodiscover.json/v1.0/bob@contoso.com", "Protocol=ActiveSync&RedirectCount=1" + Cafe, "-", "Outlook-iOS/723.4027091.prod.iphone+(4.2.0)", 200),
            Line("POST", "/autodiscover/autodiscover.xml", Cafe, "CONTOSO\\bob", "Microsoft+Office/16.0", 200),
            Line("POST", "/powershell", "clientApplication=ActiveMonitor;PSVersion=5.1.14393.4583" + Cafe, "CONTOSO\\SM_abc", "Microsoft+WinRM+Client", 200),
            Line("POST", "/mapi/nspi/", "MailboxId=33455f09@contoso.com" + Cafe, "CONTOSO\\bob", "Microsoft+Office/16.0", 200));
        Assert.Empty(findings);
    }

    [Fact]
    public void HttpProxy_autodiscover_row_with_rps_cat_is_proxyshell()
    {
        var row = WebLog.ProxyRow(new()
        {
            ["Protocol"] = "Autodiscover", ["UrlStem"] = "/autodiscover/autodiscover.json", ["UrlQuery"] = "?@evil.corp/powershell/?&Email=autodiscover/autodiscover.json%3F@evil.corp&X-Rps-CAT=VgEAVAdXaW5k",
            ["UserAgent"] = "Python PSRP Client", ["HttpStatus"] = "200", ["AuthenticationType"] = "", ["AnchorMailbox"] = "",
        });
        var f = Assert.Single(WebLog.Detect(WebLog.AutodiscoverProxyPath, WebLog.HttpProxy(row)));
        Assert.Equal("web-proxyshell-powershell", f.Rule.Id);
        Assert.Equal("X-Rps-CAT (forged PowerShell access token)", f.Details!["token"]);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
    }
}
