using Exhunt.Findings;

namespace Exhunt.Tests.WebRules;

public class OwaSsrfTests
{
    private const string Cafe = "&CorrelationID=<empty>;&cafeReqId=077855a1-9ca4-41e4-b610-745ed366d396;";
    private const string PocUa = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/105.0.5195.54+Safari/537.36";

    private static string Line(string method, string stem, string user, string ua, int status) =>
        $"2022-12-13 09:13:18 10.0.0.5 {method} {stem} clientApplication=x{Cafe} 443 {user} 203.0.113.9 {ua} - {status} 0 0 55";

    [Fact]
    public void Post_to_owa_explicit_logon_powershell_succeeds_on_200_and_fails_otherwise()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("POST", "/owa/mastermailbox@outlook.com/powershell", "CONTOSO\\victim", PocUa, 200),
            Line("POST", "/owa/mastermailbox%40outlook.com/PowerShell", "CONTOSO\\victim", PocUa, 401)));
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal("web-owassrf-powershell", f.Rule.Id));
        Assert.Equal(Outcome.Succeeded, findings[0].Outcome);
        Assert.Equal(Severity.Critical, findings[0].Severity);
        Assert.Equal("mastermailbox@outlook.com", findings[0].Details!["explicitLogon"]);
        Assert.Equal(Outcome.Failed, findings[1].Outcome);
    }

    [Fact]
    public void Shared_mailbox_explicit_logon_and_exchange_agents_stay_quiet()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("GET", "/owa/shared@contoso.com/", "CONTOSO\\bob", "Mozilla/5.0", 200),
            Line("POST", "/owa/shared@contoso.com/service.svc", "CONTOSO\\bob", "Mozilla/5.0", 200),
            Line("POST", "/owa/probe@contoso.com/powershell", "CONTOSO\\SM_1", "Exchange+BackEnd+Probes", 200),
            Line("POST", "/owa/probe@contoso.com/powershellx", "CONTOSO\\bob", "Mozilla/5.0", 200),
            Line("POST", "/powershell", "CONTOSO\\admin", "Microsoft+WinRM+Client", 200)));
        Assert.Empty(findings);
    }

    private static Dictionary<string, string> Rps(string clientInfo, string status) => new()
    {
        ["DateTime"] = "2022-12-13T09:13:19.123Z", ["StartTime"] = "2022-12-13T09:13:18.000Z", ["UrlStem"] = "/powershell",
        ["AuthenticatedUser"] = "CONTOSO\\victim", ["ClientIpAddress"] = "203.0.113.9 10.0.0.5", ["ServerHostName"] = "EX02",
        ["FrontEndServer"] = "EX01.contoso.local", ["HttpStatus"] = status, ["ClientInfo"] = clientInfo,
    };

    [Fact]
    public void Rps_http_unusual_client_info_fires_and_normal_values_do_not()
    {
        var text = WebLog.Csv("Rps Http Logs", WebLog.RpsHttpFields,
            Rps("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", "200"),
            Rps("python-requests/2.28.1", "401"),
            Rps("Microsoft WinRM Client", "200"), Rps("Exchange BackEnd Probes", "200"), Rps("", "200"), Rps("ClientInfo", "200"));
        var findings = WebLog.Detect("Exchange/Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2022121309-1.LOG", text);
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal("rps-owassrf-clientinfo", f.Rule.Id));
        Assert.Equal(Outcome.Succeeded, findings[0].Outcome);
        Assert.Equal("CONTOSO\\victim", findings[0].User);
        Assert.Equal("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", findings[0].UserAgent);
        Assert.Equal("EX01.contoso.local", findings[0].Details!["frontEndServer"]);
        Assert.Equal("203.0.113.9", findings[0].ClientIp);
        Assert.Equal("203.0.113.9 10.0.0.5", findings[0].Details!["clientIpChain"]);
        Assert.Equal(Outcome.Failed, findings[1].Outcome);
    }
}
