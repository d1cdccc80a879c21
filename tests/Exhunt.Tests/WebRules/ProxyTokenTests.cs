using Exhunt.Findings;

namespace Exhunt.Tests.WebRules;

public class ProxyTokenTests
{
    private static string Line(string method, string stem, string query, string user, int status) =>
        $"2021-08-10 09:13:18 10.0.0.5 {method} {stem} {query}&CorrelationID=<empty>;&cafeReqId=0778; 443 {user} 203.0.113.9 python-requests/2.26.0 - {status} 0 0 55";

    [Fact]
    public void Delegated_inbox_rule_post_answered_500_is_an_attempt()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("POST", "/ecp/victim@contoso.com/RulesEditor/InboxRules.svc/NewObject", "msExchEcpCanary=x", "-", 500),
            Line("POST", "/ecp/RulesEditor/InboxRules.svc/NewObject", "SecurityToken=&msExchEcpCanary=x", "-", 500)));
        Assert.Equal("web-proxytoken-inboxrule", findings[0].Rule.Id);
        Assert.Equal(Proves.Attempt, findings[0].Rule.Implies);
        Assert.Equal("web-proxytoken-shape", findings[1].Rule.Id);
        Assert.Equal(2, findings.Count);
    }

    [Fact]
    public void Users_creating_their_own_rules_stay_quiet()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("POST", "/ecp/RulesEditor/InboxRules.svc/NewObject", "msExchEcpCanary=x", "CONTOSO\\bob", 200),
            Line("POST", "/ecp/victim@contoso.com/RulesEditor/InboxRules.svc/GetList", "msExchEcpCanary=x", "CONTOSO\\bob", 500)));
        Assert.Empty(findings);
    }

    [Fact]
    public void Owa_calendar_post_is_an_attempt_unless_503()
    {
        var findings = WebLog.Detect(WebLog.IisPath, WebLog.Iis(
            Line("POST", "/owa/calendar/a", "x=1", "-", 500),
            Line("POST", "/owa/calendar/a", "x=1", "-", 503),
            Line("GET", "/owa/calendar/a1b2c3d4e5@contoso.com/f00d/calendar.html", "x=1", "-", 200)));
        var f = Assert.Single(findings);
        Assert.Equal("web-28480-owa-calendar-post", f.Rule.Id);
        Assert.Equal(Outcome.Failed, f.Outcome);
    }
}
