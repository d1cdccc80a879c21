using System.CommandLine;
using System.Text.Json;
using Exhunt.Cli;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Demo;

public sealed class DemoCommandTests
{
    [Fact]
    public void Exhunt_demo_writes_the_set_scans_it_and_reports_every_file()
    {
        using var dir = new Fixture.TempDir();
        var evidence = Path.Combine(dir.Path, "evidence");
        var json = Path.Combine(dir.Path, "report.json");
        var root = new RootCommand { DemoCommand.Create() };
        var console = Console.Out;
        int code;
        try
        {
            Console.SetOut(TextWriter.Null);
            code = CliRunner.Run(root, ["demo", "--out", evidence, "--json", json]);
        }
        finally { Console.SetOut(console); }

        // 0 until the detectors are merged; 2 (compromised) once they are. Never a usage, input or internal error.
        Assert.Contains(code, new[] { 0, 1, 2 });
        using var report = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.Equal("exhunt.report/1", report.RootElement.GetProperty("schema").GetString());
        var artifacts = report.RootElement.GetProperty("artifacts").EnumerateArray().ToList();
        Assert.Equal(Directory.EnumerateFiles(evidence, "*", SearchOption.AllDirectories).Count(), artifacts.Count);
        Assert.All(artifacts, a => Assert.Equal(0, a.GetProperty("skipped").GetInt64()));
        Assert.Contains(artifacts, a => a.GetProperty("kind").GetString() == "httpproxy");
        Assert.Contains(artifacts, a => a.GetProperty("path").GetString()!.EndsWith("owa/auth/RedirSuiteServerProxy.aspx", StringComparison.Ordinal));
    }
}
