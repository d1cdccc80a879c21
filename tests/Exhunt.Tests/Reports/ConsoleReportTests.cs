using Exhunt.Reports;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Reports;

public class ConsoleReportTests
{
    [Fact]
    public void Shows_verdict_incident_and_coverage_with_attacker_text_escaped()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Owa/a.LOG", SampleLogs.HttpProxyHeader +
            SampleLogs.HttpProxyLine("2021-03-03T02:14:05.000Z", "/owa/MARKED\u001b[2J", "203.0.113.7", 200));
        var result = new Scanner(new ScanOptions { Rules = TestRules.Set() }).Scan(dir.Path);
        var o = new StringWriter();
        ConsoleReport.Write(result, o);
        var text = o.ToString();
        Assert.Contains("VERDICT: COMPROMISED", text);
        Assert.Contains("I1  from 203.0.113.7", text);
        Assert.Contains("httpproxy", text);
        Assert.Contains("2021-03-03T02:14:05.000Z", text);
        Assert.DoesNotContain('\u001b', text);
        Assert.Contains("\\x1b[2J", text);
    }

    [Fact]
    public void Clean_scan_without_logs_says_the_verdict_covers_nothing()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("readme.txt", "nothing here");
        var result = new Scanner(new ScanOptions { Rules = TestRules.Set() }).Scan(dir.Path);
        var o = new StringWriter();
        ConsoleReport.Write(result, o);
        Assert.Contains("VERDICT: CLEAN", o.ToString());
        Assert.Contains("no logs were found", o.ToString());
    }
}
