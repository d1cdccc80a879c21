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
