using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Tests.Files;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Content;

public class ShellUsageTests
{
    private const string Owa = "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/";
    private static readonly string Chopper = ShellFixtures.Pages.Single(p => p.Name == "chopper-jscript.aspx").Text;

    [Fact]
    public void Shell_finding_tells_who_used_it_from_the_web_logs()
    {
        using var dir = new Fixture.TempDir();
        dir.Write(Owa + "errorFS.aspx", Chopper);
        dir.Write("C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", PageRequestRuleTests.IisHeader +
            "2021-03-03 04:10:00 10.0.0.5 GET /owa/auth/logon.aspx - 443 - 10.1.2.3 Mozilla/5.0 - 200 0 0 5\n" +
            "2021-03-03 04:12:55 10.0.0.5 POST /owa/auth/errorFS.aspx - 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-04 01:02:03 10.0.0.5 POST /owa/auth/errorFS.aspx - 443 - 203.0.113.9 python-requests/2.25 - 200 0 0 40\n" +
            "2021-03-05 09:00:00 10.0.0.5 GET /owa/auth/errorFS.aspx - 443 - 198.51.100.23 Mozilla/5.0 - 500 0 0 9\n");

        var result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(dir.Path);

        var shell = Assert.Single(result.Findings, f => f.Rule.Id == "content-webshell");
        Assert.Equal("3", shell.Details!["requests"]);
        Assert.Equal("2021-03-03T04:12:55Z", shell.Details["first_access"].Replace(".000", ""));
        Assert.StartsWith("2021-03-05T09:00:00", shell.Details["last_access"]);
        Assert.Contains("198.51.100.23", shell.Details["client_ips"]);
        Assert.Contains("203.0.113.9", shell.Details["client_ips"]);
        Assert.Contains("POST", shell.Details["methods"]);
        Assert.Contains("200×2", shell.Details["statuses"]);
        var used = Assert.Single(result.Findings, f => f.Rule.Id == "corr-webshell-used");
        Assert.Equal(Outcome.Succeeded, used.Outcome);
        Assert.Equal("198.51.100.23", used.ClientIp);
        Assert.Equal(new DateTime(2021, 3, 3, 4, 12, 55, DateTimeKind.Utc), used.Time);
    }

    [Fact]
    public void Shell_without_requests_says_so_with_the_covered_window()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("C/inetpub/wwwroot/aspnet_client/system_web/x1.aspx", Chopper);
        dir.Write("C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", PageRequestRuleTests.IisHeader +
            "2021-03-03 04:10:00 10.0.0.5 GET /owa/auth/logon.aspx - 443 - 10.1.2.3 Mozilla/5.0 - 200 0 0 5\n" +
            "2021-03-06 04:10:00 10.0.0.5 GET /ecp/default.aspx - 443 - 10.1.2.3 Mozilla/5.0 - 200 0 0 5\n");

        var result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(dir.Path);

        var shell = Assert.Single(result.Findings, f => f.Rule.Id == "content-webshell");
        Assert.StartsWith("none for /aspnet_client/system_web/x1.aspx among 2 page requests logged from 2021-03-03", shell.Details!["requests"]);
        Assert.DoesNotContain(result.Findings, f => f.Rule.Id == "corr-webshell-used");
    }

    [Fact]
    public void Plain_folder_of_pages_is_judged_and_says_no_logs_were_read()
    {
        using var dir = new Fixture.TempDir();
        foreach (var (name, text) in ShellFixtures.Pages.Take(5)) dir.Write(name, text);
        foreach (var (name, text) in BenignFixtures.Pages.Take(5)) dir.Write("ok-" + name, text);
        var result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(dir.Path);
        var shells = result.Findings.Where(f => f.Rule.Id.StartsWith("content-", StringComparison.Ordinal) && f.Severity >= Severity.Medium).ToList();
        Assert.Equal(5, shells.Count);
        Assert.All(shells, s => Assert.StartsWith("none: no IIS or HttpProxy", s.Details!["requests"]));
        Assert.Equal(Exhunt.Story.Verdict.Compromised, result.Story.Verdict);
    }
}
