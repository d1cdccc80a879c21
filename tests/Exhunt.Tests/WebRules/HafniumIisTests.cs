using Exhunt.Findings;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.WebRules;

public class HafniumIisTests
{
    private static string Line(string method, string stem, string query, string user, string ua, int status) =>
        $"2021-03-03 02:14:05 10.0.0.5 {method} {stem} {query} 443 {user} 130.255.189.21 {ua} - {status} 0 0 133";

    private const string Cafe = "&CorrelationID=<empty>;&cafeReqId=cde28fc4-44c4-4b56-a4a1-7a8a1b1f7d2e;";

    [Theory]
    [InlineData("/ecp/y.js")]
    [InlineData("/ecp/lkO.js")]
    [InlineData("/ecp/default.flt")]
    [InlineData("/ecp/main.css")]
    [InlineData("/owa/auth/x.js")]
    [InlineData("/owa/auth/w.js")]
    [InlineData("/ecp/auth/w.js")]
    [InlineData("/owa/auth/Current/themes/resources/logon.css")]
    [InlineData("/owa/auth/Current/themes/resources/SegoeUI-SemiLight.ttf")]
    public void Post_to_a_static_resource_fires_and_200_stays_unknown(string stem)
    {
        // IIS does not log the cookie that carries the real target: a 200 may be an autodiscover probe's answer.
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(Line("POST", stem, Cafe, "-", "python-requests/2.25.1", 200)));
        var f = Assert.Single(findings.Of("web-hafnium-post-static"));
        Assert.Equal(Outcome.Unknown, f.Outcome);
        Assert.Equal(Proves.Attempt, f.Rule.Implies);
        Assert.Equal("130.255.189.21", f.ClientIp);
        Assert.StartsWith("POST " + stem + "?&CorrelationID", f.Evidence);
    }

    [Fact]
    public void Static_post_answered_241_obtained_an_ecp_session()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(Line("POST", "/ecp/y.js", Cafe, "-", "python-requests/2.25.1", 241)));
        var f = Assert.Single(findings.Of("web-hafnium-post-static"));
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Equal(Severity.Critical, f.Severity);
    }

    [Fact]
    public void Failed_static_post_is_a_failed_attempt_and_gets_of_static_files_stay_quiet()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("POST", "/ecp/y.js", Cafe, "-", "python-requests/2.25.1", 404),
            Line("GET", "/ecp/y.js", Cafe, "-", "Mozilla/5.0+(Windows+NT+10.0)", 200),
            Line("GET", "/owa/auth/Current/themes/resources/logon.css", Cafe, "-", "Mozilla/5.0+(Windows+NT+10.0)", 200),
            Line("POST", "/owa/auth.owa", Cafe, "-", "Mozilla/5.0+(Windows+NT+10.0)", 302),
            Line("POST", "/ecp/15.1.2176.2/scripts/x.js", Cafe, "CONTOSO\\admin", "Mozilla/5.0+(Windows+NT+10.0)", 200)));
        var f = Assert.Single(findings.Of("web-hafnium-post-static"));
        Assert.Equal(Outcome.Failed, f.Outcome);
        Assert.All(findings, x => Assert.Equal(5, x.Line)); // the UA rule also knows python-requests on POST /ecp/
    }

    [Fact]
    public void Volexity_user_agents_fire_on_their_paths_only()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("POST", "/owa/auth/Current/themes/errorFS.aspx", Cafe, "-", "Mozilla/5.0+(compatible;+Googlebot/2.1;++http://www.google.com/bot.html)", 200),
            Line("POST", "/aspnet_client/system_web/log.aspx", Cafe, "-", "antSword/v2.1", 200),
            Line("GET", "/owa/auth/Current/themes/errorFS.aspx", Cafe, "-", "Mozilla/5.0+(compatible;+Googlebot/2.1;++http://www.google.com/bot.html)", 200),
            Line("POST", "/EWS/Exchange.asmx", Cafe, "-", "ExchangeServicesClient/0.0.0.0", 200)));
        var hits = findings.Of("web-hafnium-user-agent");
        Assert.Equal(2, hits.Count);
        Assert.Equal(Outcome.Unknown, hits[0].Outcome);
        Assert.Equal("Mozilla/5.0 (compatible; Googlebot/2.1;  http://www.google.com/bot.html)", hits[0].UserAgent);
        Assert.Equal("antSword/v2.1", hits[1].UserAgent);
    }

    [Fact]
    public void HttpProxy_user_agent_with_commas_written_as_spaces_still_matches()
    {
        var row = WebLog.ProxyRow(new()
        {
            ["Protocol"] = "Owa", ["UrlStem"] = "/owa/auth/Current/themes/resources/logon.css", ["Method"] = "POST",
            ["UserAgent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/51.0.2704.103 Safari/537.36",
        });
        var findings = WebLog.Detect(WebLog.OwaProxyPath, WebLog.HttpProxy(row));
        Assert.Single(findings.Of("web-hafnium-user-agent"));
        Assert.Single(findings.Of("web-hafnium-post-static"));
    }

    [Fact]
    public void Rpc_recon_is_weak_and_outlook_anywhere_is_quiet()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("GET", "/rpc/", "&CorrelationID=<empty>;&RequestId=5b0b8d4c-5b8a-4a0c-9e3c-1f1d2f3a4b5c&cafeReqId=5b0b8d4c-5b8a-4a0c-9e3c-1f1d2f3a4b5c;", "-", "python-requests/2.25.1", 200),
            Line("RPC_IN_DATA", "/rpc/rpcproxy.dll", "ex01.contoso.local:6001" + Cafe, "CONTOSO\\bob", "MSRPC", 200)));
        var f = Assert.Single(findings);
        Assert.Equal("iis-proxylogon-rpc-recon", f.Rule.Id);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
    }

    [SkippableFact]
    public void Benign_elastic_iis_lines_stay_quiet()
    {
        var path = Corpus.Path_("logs/benign/elastic-integrations/iis__test-iis10-access.log");
        Assert.Empty(WebLog.Detect("C/inetpub/logs/LogFiles/W3SVC1/u_ex230828.log", File.ReadAllText(path)));
    }
}
