using System.Text.Json;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.CommandLine;

public class ExitCodeTests
{
    [Fact]
    public void Missing_input_is_66()
    {
        var r = CliProcess.Run("scan", "/nonexistent/evidence/path", "--no-progress");
        Assert.Equal(66, r.ExitCode);
        Assert.Contains("does not exist", r.Stderr);
    }

    [Fact]
    public void Non_zip_file_as_path_is_66_with_a_clear_message()
    {
        using var dir = new Fixture.TempDir();
        var fake = dir.Write("evidence.zip", "this is not a zip");
        var r = CliProcess.Run("scan", fake, "--no-progress");
        Assert.Equal(66, r.ExitCode);
        Assert.Contains("not a folder or a readable zip", r.Stderr);
    }

    [Theory]
    [InlineData("scan")]
    [InlineData("scan", "x", "--bogus")]
    [InlineData("nosuchcommand")]
    [InlineData("scan", ".", "--min-severity", "extreme")]
    public void Usage_errors_are_64(params string[] args)
    {
        var r = CliProcess.Run(args);
        Assert.Equal(64, r.ExitCode);
    }

    [Fact]
    public void Clean_folder_is_0_and_json_goes_to_the_file()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("evidence/Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", SampleLogs.HttpProxyHeader +
            SampleLogs.HttpProxyLine("2021-03-03T02:10:00.000Z", "/owa/", "10.0.0.1", 200));
        var json = Path.Combine(dir.Path, "report.json");
        var r = CliProcess.Run("scan", Path.Combine(dir.Path, "evidence"), "--json", json, "--no-progress");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("VERDICT: CLEAN", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("clean", doc.RootElement.GetProperty("verdict").GetString());
    }
}

public class SingleFileTests
{
    [Fact]
    public void A_single_log_file_as_path_is_scanned_on_its_own()
    {
        using var dir = new Fixture.TempDir();
        var log = dir.Write("HttpProxy_2021030302-1.LOG", SampleLogs.HttpProxyHeader +
            "2021-03-03T02:14:05.000Z,abc,/ecp/y.js,,ServerInfo~a]@ex01:444/ecp/proxyLogon.ecp?#,python-requests/2.25.1,203.0.113.7,241,POST,X-BEResource-Cookie\r\n");
        var result = new Exhunt.Scanning.Scanner(new Exhunt.Scanning.ScanOptions()).Scan(log);
        var artifact = Assert.Single(result.Artifacts);
        Assert.Equal("HttpProxy_2021030302-1.LOG", artifact.File.RelativePath);
        Assert.Equal(Exhunt.Evidence.ArtifactKind.HttpProxy, artifact.File.Kind);
        Assert.Contains(result.Findings, f => f.Rule.Id == "exch-ssrf-serverinfo" && f.Outcome == Exhunt.Findings.Outcome.Succeeded);
        Assert.Equal(Exhunt.Story.Verdict.Compromised, result.Story.Verdict);
    }

    [Fact]
    public void A_zip_named_otherwise_is_still_read_as_a_zip()
    {
        using var dir = new Fixture.TempDir();
        var path = System.IO.Path.Combine(dir.Path, "collection.bin");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        using (var w = new StreamWriter(zip.CreateEntry("Logging/HttpProxy/Owa/a.LOG").Open()))
            w.Write(SampleLogs.HttpProxyHeader + SampleLogs.HttpProxyLine("2021-03-03T02:10:00.000Z", "/owa/", "10.0.0.1", 200));
        var result = new Exhunt.Scanning.Scanner(new Exhunt.Scanning.ScanOptions()).Scan(path);
        Assert.Equal("Logging/HttpProxy/Owa/a.LOG", Assert.Single(result.Artifacts).File.RelativePath);
    }
}
