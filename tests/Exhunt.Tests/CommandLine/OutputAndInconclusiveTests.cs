using System.Text.Json;
using Exhunt.Tests.Hosts;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.CommandLine;

/// <summary>Issue 6, repro 3: nothing read that could show exploitation is INCONCLUSIVE (exit 3), never CLEAN.</summary>
public class InconclusiveTests
{
    private static void AssertInconclusive(string path)
    {
        var r = CliProcess.Run("scan", path, "--no-progress");
        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Contains("VERDICT: INCONCLUSIVE", r.Stdout);
        Assert.Contains("Collect", r.Stdout);
    }

    [Fact]
    public void Empty_folder()
    {
        using var dir = new Fixture.TempDir();
        AssertInconclusive(dir.Path);
    }

    [Fact]
    public void Logs_with_zero_records()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", MultiHostScanTests.Header);
        dir.Write("inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method cs-uri-stem\r\n");
        AssertInconclusive(dir.Path);
    }

    [Fact]
    public void Only_garbage()
    {
        using var dir = new Fixture.TempDir();
        var rnd = new Random(6);
        var bytes = new byte[50_000];
        rnd.NextBytes(bytes);
        dir.Write("collection/blob.bin", bytes);
        dir.Write("collection/notes.txt", "nothing to see\n");
        AssertInconclusive(dir.Path);
    }

    [SkippableFact]
    public void Folder_the_user_cannot_read()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX permissions");
        using var dir = new Fixture.TempDir();
        dir.Write("locked/Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", MultiHostScanTests.Header + MultiHostScanTests.Benign("EX01", "2021-03-03T02:00:00.000Z"));
        var locked = Path.Combine(dir.Path, "locked");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            Skip.If(Directory.EnumerateFileSystemEntries(locked).Any() && Environment.UserName == "root", "running as root: permissions do not lock the folder");
            AssertInconclusive(dir.Path);
        }
        catch (UnauthorizedAccessException)
        {
            AssertInconclusive(dir.Path);
        }
        finally { File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
    }

    [SkippableFact]
    public void Folder_whose_only_content_is_not_followed()
    {
        Skip.If(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var outside = new Fixture.TempDir();
        outside.Write("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", MultiHostScanTests.Header + MultiHostScanTests.Benign("EX01", "2021-03-03T02:00:00.000Z"));
        using var dir = new Fixture.TempDir();
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "Logging"), Path.Combine(outside.Path, "Logging"));
        AssertInconclusive(dir.Path);
    }

    [Fact]
    public void Clean_names_kinds_and_window_and_warns_when_shorter_than_a_day()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", MultiHostScanTests.Header + MultiHostScanTests.Benign("EX01", "2021-03-03T02:00:00.000Z"));
        var r = CliProcess.Run("scan", dir.Path, "--no-progress");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("VERDICT: CLEAN", r.Stdout);
        Assert.Contains("httpproxy", r.Stdout);
        Assert.Contains("2021-03-03T02:00:00", r.Stdout);
        Assert.Contains("shorter than a day", r.Stdout);
    }

    [Fact]
    public void Help_lists_every_exit_code()
    {
        var r = CliProcess.Run("scan", "--help");
        foreach (var code in new[] { "0 clean", "1 attempted", "2 compromised", "3 inconclusive", "64", "66", "70", "73" })
            Assert.Contains(code, r.Stdout);
    }
}

/// <summary>Issue 6, repro 5: outputs never lose the verdict.</summary>
public class OutputTests
{
    private static string Evidence(Fixture.TempDir dir)
    {
        dir.Write("evidence/Logging/HttpProxy/Ecp/HttpProxy_2021030302-1.LOG", MultiHostScanTests.Header + MultiHostScanTests.SsrfSuccess("EX01"));
        return Path.Combine(dir.Path, "evidence");
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--csv")]
    public void Output_that_cannot_be_created_stops_at_once_with_73(string option)
    {
        using var dir = new Fixture.TempDir();
        var r = CliProcess.Run("scan", Evidence(dir), option, "/no/such/dir/o.out", "--no-progress");
        Assert.Equal(73, r.ExitCode);
        Assert.Contains("cannot create output", r.Stderr);
        Assert.DoesNotContain("VERDICT", r.Stdout);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Json_to_stdout_and_csv_to_a_file_are_both_written()
    {
        using var dir = new Fixture.TempDir();
        var csv = Path.Combine(dir.Path, "t.csv");
        var r = CliProcess.Run("scan", Evidence(dir), "--json", "-", "--csv", csv, "--no-progress");
        Assert.Equal(2, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("compromised", doc.RootElement.GetProperty("verdict").GetString());
        Assert.Contains("VERDICT: COMPROMISED", r.Stderr);
        var lines = File.ReadAllLines(csv);
        Assert.StartsWith("datetime,", lines[0]);
        Assert.True(lines.Length > 1);
    }

    [Fact]
    public void Csv_to_stdout_and_json_to_a_file_are_both_written()
    {
        using var dir = new Fixture.TempDir();
        var json = Path.Combine(dir.Path, "r.json");
        var r = CliProcess.Run("scan", Evidence(dir), "--csv", "-", "--json", json, "--no-progress");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("datetime,", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("compromised", doc.RootElement.GetProperty("verdict").GetString());
    }

    [Fact]
    public void Both_files_are_written_and_the_console_report_stays_on_stdout()
    {
        using var dir = new Fixture.TempDir();
        var json = Path.Combine(dir.Path, "r.json");
        var csv = Path.Combine(dir.Path, "t.csv");
        var r = CliProcess.Run("scan", Evidence(dir), "--json", json, "--csv", csv, "--no-progress");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("VERDICT: COMPROMISED", r.Stdout);
        Assert.True(File.Exists(json) && File.Exists(csv));
    }

    [Fact]
    public void Two_outputs_to_stdout_is_a_usage_error()
    {
        using var dir = new Fixture.TempDir();
        var r = CliProcess.Run("scan", Evidence(dir), "--json", "-", "--csv", "-", "--no-progress");
        Assert.Equal(64, r.ExitCode);
    }

    [SkippableFact]
    public void A_write_failure_after_the_scan_keeps_the_verdict_and_its_exit_code()
    {
        Skip.IfNot(File.Exists("/dev/full"), "/dev/full is not available");
        using var dir = new Fixture.TempDir();
        var r = CliProcess.Run("scan", Evidence(dir), "--json", "/dev/full", "--no-progress");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("VERDICT: COMPROMISED", r.Stdout);
        Assert.Contains("could not write the json report", r.Stderr);
    }

    [Fact]
    public void Every_registered_format_is_an_option()
    {
        var r = CliProcess.Run("scan", "--help");
        foreach (var w in Exhunt.Reports.ReportWriters.All) Assert.Contains("--" + w.Format, r.Stdout);
    }
}
