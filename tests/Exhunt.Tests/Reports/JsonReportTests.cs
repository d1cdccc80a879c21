using System.Text.Json;
using Exhunt.Reports;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Reports;

public class JsonReportTests
{
    private static JsonElement ScanToJson(string folder)
    {
        var result = new Scanner(new ScanOptions { Rules = TestRules.Set() }).Scan(folder);
        var ms = new MemoryStream();
        JsonReport.Write(result, ms);
        return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
    }

    [Fact]
    public void Report_follows_the_exhunt_report_1_contract()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", SampleLogs.HttpProxyHeader +
            SampleLogs.HttpProxyLine("2021-03-03T02:10:00.000Z", "/owa/", "10.0.0.1", 200) +
            SampleLogs.HttpProxyLine("2021-03-03T02:14:05.000Z", "/owa/auth/MARKED.aspx", "203.0.113.7", 200, "Evil\u001b[31mUA"));
        dir.Write("notes.txt", "hello");

        var json = ScanToJson(dir.Path);

        Assert.Equal("exhunt.report/1", json.GetProperty("schema").GetString());
        Assert.Equal("exhunt", json.GetProperty("tool").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("tool").GetProperty("version").GetString()));
        Assert.Equal(dir.Path, json.GetProperty("root").GetString());
        Assert.Equal("compromised", json.GetProperty("verdict").GetString());

        var coverage = Assert.Single(json.GetProperty("coverage").EnumerateArray());
        Assert.Equal("httpproxy", coverage.GetProperty("kind").GetString());
        Assert.Equal("2021-03-03T02:10:00.000Z", coverage.GetProperty("first").GetString());
        Assert.Equal("2021-03-03T02:14:05.000Z", coverage.GetProperty("last").GetString());
        Assert.Equal(1, coverage.GetProperty("files").GetInt32());
        Assert.Equal(2, coverage.GetProperty("records").GetInt64());

        var artifacts = json.GetProperty("artifacts").EnumerateArray().ToList();
        Assert.Equal(2, artifacts.Count);
        var log = artifacts.Single(a => a.GetProperty("kind").GetString() == "httpproxy");
        Assert.Equal("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", log.GetProperty("path").GetString());
        Assert.Equal(2, log.GetProperty("records").GetInt64());
        Assert.Equal(0, log.GetProperty("skipped").GetInt64());
        Assert.Equal(JsonValueKind.Array, log.GetProperty("errors").ValueKind);
        var other = artifacts.Single(a => a.GetProperty("kind").GetString() == "unrecognised");
        Assert.Equal(64, other.GetProperty("sha256").GetString()!.Length);

        var finding = Assert.Single(json.GetProperty("findings").EnumerateArray());
        Assert.Equal("F1", finding.GetProperty("id").GetString());
        Assert.Equal("test-marker", finding.GetProperty("rule").GetString());
        Assert.Equal("high", finding.GetProperty("severity").GetString());
        Assert.Equal("CVE-2021-26855", finding.GetProperty("cves")[0].GetString());
        Assert.Equal("T1190", finding.GetProperty("attack")[0].GetString());
        Assert.Equal("initial-access", finding.GetProperty("tactic").GetString());
        Assert.Equal("succeeded", finding.GetProperty("outcome").GetString());
        Assert.Equal("2021-03-03T02:14:05.000Z", finding.GetProperty("time").GetString());
        Assert.Equal("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", finding.GetProperty("artifact").GetString());
        Assert.Equal(7, finding.GetProperty("location").GetProperty("line").GetInt64());
        Assert.Equal("203.0.113.7", finding.GetProperty("client_ip").GetString());
        Assert.Equal("Evil\u001b[31mUA", finding.GetProperty("user_agent").GetString());
        Assert.Equal(JsonValueKind.Null, finding.GetProperty("user").ValueKind);
        Assert.Equal("/owa/auth/MARKED.aspx", finding.GetProperty("evidence").GetString());

        var incident = Assert.Single(json.GetProperty("incidents").EnumerateArray());
        Assert.Equal("F1", incident.GetProperty("findings")[0].GetString());
    }

    [Fact]
    public void Attacker_control_characters_are_escaped_in_the_raw_json_text()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Owa/a.LOG", SampleLogs.HttpProxyHeader +
            SampleLogs.HttpProxyLine("2021-03-03T02:14:05.000Z", "/MARKED</script>\"", "203.0.113.7", 200, "x\u001b]0;pwned\u0007"));
        var result = new Scanner(new ScanOptions { Rules = TestRules.Set() }).Scan(dir.Path);
        var ms = new MemoryStream();
        JsonReport.Write(result, ms);
        var text = System.Text.Encoding.UTF8.GetString(ms.ToArray());
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.DoesNotContain("</script>", text);
    }

    [Fact]
    public void Min_severity_filters_findings_but_keeps_the_verdict()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Owa/a.LOG", SampleLogs.HttpProxyHeader +
            SampleLogs.HttpProxyLine("2021-03-03T02:14:05.000Z", "/MARKED", "203.0.113.7", 200));
        var result = new Scanner(new ScanOptions { Rules = TestRules.Set() }).Scan(dir.Path);
        var ms = new MemoryStream();
        JsonReport.Write(result, ms, Exhunt.Findings.Severity.Critical);
        var json = JsonDocument.Parse(ms.ToArray()).RootElement;
        Assert.Empty(json.GetProperty("findings").EnumerateArray());
        Assert.Equal("compromised", json.GetProperty("verdict").GetString());
    }
}

public class FindingCapTests
{
    [Fact]
    public void A_flood_of_hits_is_capped_per_rule_and_outcome_and_a_success_still_gets_through()
    {
        using var dir = new Fixture.TempDir();
        var text = new System.Text.StringBuilder(SampleLogs.HttpProxyHeader);
        for (var i = 0; i < Exhunt.Findings.FindingSink.DefaultCap + 500; i++)
            text.Append(SampleLogs.HttpProxyLine("2021-03-03T02:14:05.000Z", "/MARKED", "198.51.100.9", 404));
        text.Append(SampleLogs.HttpProxyLine("2021-03-03T03:00:00.000Z", "/MARKED", "203.0.113.7", 200));
        dir.Write("Logging/HttpProxy/Owa/a.LOG", text.ToString());

        var result = new Exhunt.Scanning.Scanner(new Exhunt.Scanning.ScanOptions { Rules = TestRules.Set() }).Scan(dir.Path);

        Assert.Equal(Exhunt.Findings.FindingSink.DefaultCap + 1, result.Findings.Count);
        Assert.Contains(result.Findings, f => f.ClientIp == "203.0.113.7" && f.Outcome == Exhunt.Findings.Outcome.Succeeded);
        var suppressed = Assert.Single(result.Suppressed);
        Assert.Equal(500, suppressed.Count);
        Assert.Equal(Exhunt.Findings.Outcome.Failed, suppressed.Outcome);
        var ms = new MemoryStream();
        JsonReport.Write(result, ms);
        var json = JsonDocument.Parse(ms.ToArray()).RootElement;
        Assert.Equal(500, json.GetProperty("suppressed_findings")[0].GetProperty("count").GetInt64());
    }
}
