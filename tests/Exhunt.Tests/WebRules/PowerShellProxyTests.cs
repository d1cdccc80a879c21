using Exhunt.Findings;

namespace Exhunt.Tests.WebRules;

public class PowerShellProxyTests
{
    private const string Path = "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/PowerShell/HttpProxy_2022121309-1.LOG";

    private static Dictionary<string, string> Row(string ua, string status = "200", string auth = "Kerberos") => WebLog.ProxyRow(new()
    {
        ["Protocol"] = "PowerShell", ["UrlStem"] = "/powershell", ["AuthenticationType"] = auth, ["IsAuthenticated"] = "true",
        ["AuthenticatedUser"] = "CONTOSO\\EX01$", ["UserAgent"] = ua, ["HttpStatus"] = status, ["Method"] = "POST",
        ["GenericInfo"] = "OnEndRequest.End.ContentType=application/soap+xml charset UTF-8;S:ServiceCommonMetadata.HttpMethod=POST;",
    });

    [Fact]
    public void Kerberos_powershell_post_from_a_browser_agent_is_weak_and_exchange_agents_are_quiet()
    {
        var findings = WebLog.Detect(Path, WebLog.HttpProxy(
            Row("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/105.0.5195.54 Safari/537.36"),
            Row("Microsoft WinRM Client"), Row("Exchange BackEnd Probes"), Row("python-requests/2.28.1", "401"),
            Row("python-requests/2.28.1", "200", "Basic")));
        var f = Assert.Single(findings);
        Assert.Equal("exch-powershell-proxy-unusual-client", f.Rule.Id);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
        Assert.Equal(Proves.Attempt, f.Rule.WithExploitation);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
    }

    [Fact]
    public void ProxyNotShell_poc_query_is_a_probe()
    {
        var text = WebLog.Iis("2022-10-03 09:13:18 10.0.0.5 GET /autodiscover/autodiscover.json x=a&CorrelationID=<empty>;&cafeReqId=1; 443 CONTOSO\\bob 203.0.113.9 python-requests/2.28.1 - 200 0 0 5");
        Assert.Equal("web-autodiscover-ssrf-probe", Assert.Single(WebLog.Detect(WebLog.IisPath, text)).Rule.Id);
    }
}
