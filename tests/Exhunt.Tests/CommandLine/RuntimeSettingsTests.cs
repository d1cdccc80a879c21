using System.Text.Json;
using Xunit;

namespace Exhunt.Tests.CommandLine;

/// <summary>The CLI's runtime settings that keep a scan's memory flat (BENCHMARKS.md "Memory and scale"): the gen0
/// budget cap from Directory.Build.props and the non-concurrent workstation GC must reach the shipped runtimeconfig.</summary>
public class RuntimeSettingsTests
{
    [Fact]
    public void Cli_runtimeconfig_caps_the_gen0_budget()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "exhunt.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} not found next to the tests (the CLI project is referenced)");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var props = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(16L * 1024 * 1024, props.GetProperty("System.GC.Gen0MaxBudget").GetInt64());
        Assert.False(props.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(props.GetProperty("System.GC.Concurrent").GetBoolean());
    }
}
