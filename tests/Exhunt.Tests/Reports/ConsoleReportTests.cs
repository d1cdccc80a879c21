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
    public void Scan_without_logs_is_inconclusive_and_says_the_verdict_covers_nothing()
    {
        // Issue 6 (repro 3): nothing that could show exploitation was read, so no CLEAN.
        using var dir = new Fixture.TempDir();
        dir.Write("readme.txt", "nothing here");
        var result = new Scanner(new ScanOptions { Rules = TestRules.Set() }).Scan(dir.Path);
        var o = new StringWriter();
        ConsoleReport.Write(result, o);
        Assert.Contains("VERDICT: INCONCLUSIVE", o.ToString());
        Assert.Contains("no logs were found", o.ToString());
    }
}

public class ConsoleReportScaleTests
{
    [Fact]
    public void Many_scanner_incidents_are_summarised_and_the_compromise_is_always_told()
    {
        using var dir = new Fixture.TempDir();
        var text = new System.Text.StringBuilder(SampleLogs.HttpProxyHeader);
        for (var i = 1; i <= 30; i++)
            text.Append(SampleLogs.HttpProxyLine($"2021-03-03T01:{i:00}:00.000Z", "/MARKED", $"198.51.100.{i}", 404));
        text.Append(SampleLogs.HttpProxyLine("2021-03-03T03:00:00.000Z", "/MARKED", "203.0.113.7", 200));
        dir.Write("Logging/HttpProxy/Owa/a.LOG", text.ToString());
        var result = new Scanner(new ScanOptions { Rules = TestRules.Set() }).Scan(dir.Path);
        var o = new StringWriter();
        ConsoleReport.Write(result, o);
        var report = o.ToString();
        Assert.Contains("compromised: 203.0.113.7", report);
        Assert.Contains("... and 22 more incident(s) (22 attempted) from 22 address(es)", report);
        Assert.DoesNotContain("CONTEXT", report);
    }
}
