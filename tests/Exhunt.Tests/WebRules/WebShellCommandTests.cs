using Exhunt.Findings;

namespace Exhunt.Tests.WebRules;

public class WebShellCommandTests
{
    private static string Line(string method, string stem, string query, int status) =>
        $"2021-03-05 03:06:27 10.0.0.5 {method} {stem} {query}&CorrelationID=<empty>;&cafeReqId=cde2; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0) - {status} 0 0 133";

    [Fact]
    public void Encoded_commands_to_a_page_fire_and_ordinary_queries_do_not()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("GET", "/owa/auth/OutlookEN.aspx", "c=cmd+/c+whoami", 200),
            Line("GET", "/aspnet_client/system_web/log.aspx", "x=%77hoami", 200),
            Line("GET", "/owa/auth/errorFS.aspx", "z=cmd.exe%20/c%20cd%20/d%20C:\\inetpub\\wwwroot\\aspnet_client&echo%20[S]", 404),
            Line("GET", "/owa/auth/logon.aspx", "url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0", 200),
            Line("GET", "/owa/", "cmd=whoami", 200),
            Line("POST", "/EWS/Exchange.asmx", "action=GetItem", 200)));
        Assert.Equal(3, findings.Count);
        Assert.All(findings, f => Assert.Equal("web-webshell-command-query", f.Rule.Id));
        Assert.Equal("=cmd /c", findings[0].Details!["command"]);
        Assert.Equal("=whoami", findings[1].Details!["command"]);
        Assert.Equal(Outcome.Succeeded, findings[1].Outcome);
        Assert.Equal(Outcome.Failed, findings[2].Outcome);
        Assert.Equal(Proves.Weak, findings[0].Rule.Implies);
        Assert.Equal(Proves.Compromise, findings[0].Rule.WithExploitation);
    }
}
