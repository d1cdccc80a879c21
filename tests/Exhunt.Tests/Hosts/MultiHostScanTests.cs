using System.Text.Json;
using Exhunt.Findings;
using Exhunt.Reports;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Files;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Hosts;

/// <summary>Issue 6: a folder holding two collections of two hosts; hosts come from the logs' ServerHostName column.</summary>
public class MultiHostScanTests
{
    internal const string Header =
        "#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n" +
        "#Fields: DateTime,RequestId,UrlStem,AuthenticatedUser,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,Method,RoutingHint\r\n";

    internal static string SsrfSuccess(string server) =>
        $"2021-03-03T02:14:05.000Z,abc,/ecp/y.js,,ServerInfo~a]@ex01:444/ecp/proxyLogon.ecp?#,python-requests/2.25.1,203.0.113.7,{server},241,POST,X-BEResource-Cookie\r\n";

    internal static string Benign(string server, string time) =>
        $"{time},{Guid.NewGuid()},/owa/,user@contoso.com,,Mozilla/5.0,10.0.0.20,{server},200,GET,\r\n";

    private static ScanResult ScanTwoHosts(Fixture.TempDir dir, string dumpOn)
    {
        dir.Write("exch01/Exchange/Logging/HttpProxy/Ecp/HttpProxy_2021030302-1.LOG",
            Header + Benign("EXCH01.contoso.local", "2021-03-01T08:00:00.000Z") + SsrfSuccess("EXCH01.contoso.local"));
        dir.Write("exch02/Exchange/Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG",
            Header + Benign("EXCH02", "2021-03-01T08:00:00.000Z") + Benign("EXCH02", "2021-03-04T08:00:00.000Z"));
        dir.Write($"{dumpOn}/Exchange/Bin/lsass.dmp", FileRulesTests.Minidump("C:\\Windows\\System32\\lsass.exe"));
        return new Scanner(new ScanOptions()).Scan(dir.Path);
    }

    [Fact]
    public void Per_host_verdicts_one_compromised_one_clean()
    {
        using var dir = new Fixture.TempDir();
        var result = ScanTwoHosts(dir, dumpOn: "exch02");
        Assert.Equal(Verdict.Compromised, result.Story.Verdict);
        var hosts = result.Story.Hosts.ToDictionary(h => h.Host);
        Assert.Equal(["exch01", "exch02"], hosts.Keys.Order());
        Assert.Equal(Verdict.Compromised, hosts["exch01"].Verdict);
        Assert.Equal(Verdict.Clean, hosts["exch02"].Verdict);
        Assert.True(hosts["exch01"].Exchange && hosts["exch02"].Exchange);
        Assert.All(result.Findings, f => Assert.NotNull(f.Host));
        Assert.All(result.Artifacts, a => Assert.NotEqual(HostName.Unknown, a.Host));

        var json = new MemoryStream();
        JsonReport.Write(result, json);
        using var doc = JsonDocument.Parse(json.ToArray());
        var root = doc.RootElement;
        var jsonHosts = root.GetProperty("hosts").EnumerateArray().ToDictionary(h => h.GetProperty("host").GetString()!);
        Assert.Equal("compromised", jsonHosts["exch01"].GetProperty("verdict").GetString());
        Assert.Equal("clean", jsonHosts["exch02"].GetProperty("verdict").GetString());
        Assert.True(jsonHosts["exch02"].GetProperty("exchange").GetBoolean());
        Assert.Equal("2021-03-01T08:00:00.000Z", jsonHosts["exch02"].GetProperty("first").GetString());
        Assert.All(root.GetProperty("findings").EnumerateArray(), f => Assert.False(string.IsNullOrEmpty(f.GetProperty("host").GetString())));
        Assert.All(root.GetProperty("artifacts").EnumerateArray(), a => Assert.False(string.IsNullOrEmpty(a.GetProperty("host").GetString())));

        var console = new StringWriter();
        ConsoleReport.Write(result, console);
        Assert.Contains("HOSTS (2", console.ToString());
    }

    [Fact]
    public void Context_on_host_B_never_raises_host_A()
    {
        using var dir = new Fixture.TempDir();
        var result = ScanTwoHosts(dir, dumpOn: "exch02");
        var dump = Assert.Single(result.Findings, f => f.Rule.Id == "file-lsass-dump");
        Assert.Equal("exch02", dump.Host);
        Assert.DoesNotContain(result.Story.Incidents, i => i.Findings.Contains(dump));
        Assert.Equal(Verdict.Clean, result.Story.Hosts.Single(h => h.Host == "exch02").Verdict);
    }

    [Fact]
    public void The_same_dump_on_the_exploited_host_is_raised()
    {
        using var dir = new Fixture.TempDir();
        var result = ScanTwoHosts(dir, dumpOn: "exch01");
        var dump = Assert.Single(result.Findings, f => f.Rule.Id == "file-lsass-dump");
        Assert.Equal("exch01", dump.Host);
        Assert.Contains(result.Story.Incidents, i => i.Host == "exch01" && i.Verdict == Verdict.Compromised && i.Findings.Contains(dump));
    }

    [Fact]
    public void A_host_named_only_in_the_event_or_log_becomes_the_host_of_unnamed_files_in_a_one_host_collection()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", Header + Benign("EXCH09.contoso.local", "2021-03-01T08:00:00.000Z"));
        dir.Write("Windows/Temp/notes.txt", "hello");
        var result = new Scanner(new ScanOptions()).Scan(dir.Path);
        Assert.All(result.Artifacts, a => Assert.Equal("exch09", a.Host));
        Assert.Equal("exch09", Assert.Single(result.Story.Hosts).Host);
    }
}

/// <summary>Issue 6, repro 7: a failed ECP POST next to any dump in a WER folder is an attempt, not a compromise.</summary>
public class UnidentifiedDumpTests
{
    [Fact]
    public void Failed_post_plus_unidentified_wer_dump_is_attempted_at_most()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Ecp/HttpProxy_2021030302-1.LOG", MultiHostScanTests.Header +
            "2021-03-03T02:14:05.000Z,abc,/ecp/y.js,,ServerInfo~a]@ex01:444/ecp/proxyLogon.ecp?#,python-requests/2.25.1,203.0.113.7,EX01,500,POST,X-BEResource-Cookie\r\n");
        var dump = new byte[4096];
        "MDMP"u8.CopyTo(dump);
        dir.Write("ProgramData/Microsoft/Windows/WER/ReportQueue/AppCrash_w3wp.exe_1/memory.hdmp", dump);
        var result = new Scanner(new ScanOptions()).Scan(dir.Path);
        Assert.True(result.Story.Verdict <= Verdict.Attempted, result.Story.Sentence);
        var f = Assert.Single(result.Findings, f => f.Artifact.EndsWith("memory.hdmp"));
        Assert.Equal("file-process-dump", f.Rule.Id);
        Assert.DoesNotContain("treated as LSASS", f.DisplayTitle);
        Assert.Null(f.Rule.WithExploitation);
    }
}
