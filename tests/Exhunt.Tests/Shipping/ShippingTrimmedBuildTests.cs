using System.Text.Json;
using System.Text.RegularExpressions;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Shipping;

/// <summary>
/// The trimmed single-file build (what an admin copies to a server) finds what the normal build finds on the demo:
/// same verdict, hosts, findings, incidents, coverage and per-file counts; lists the same detections; names the same
/// version; loads Sigma rules (YamlDotNet) the same. The failure this guards against: a trimmed build that silently
/// runs or lists fewer rules.
/// </summary>
public class ShippingTrimmedBuildTests(TrimmedBuild build) : IClassFixture<TrimmedBuild>
{
    /// <summary>The parts of the report a build could change; `root` (the demo's temp folder) is left out.</summary>
    private static readonly string[] Compared =
        ["schema", "verdict", "summary", "hosts", "findings", "incidents", "coverage", "artifacts", "stage", "host_stages",
         "exposure", "errors", "suppressed_findings", "anomalies"];

    [SkippableFact]
    public void The_trimmed_build_finds_the_same_findings_as_the_normal_build_on_the_demo()
    {
        Skip.If(build.SkipReason is not null, build.SkipReason);
        var dir = Directory.CreateTempSubdirectory("exhunt-ship-");
        try
        {
            var trimmedJson = Path.Combine(dir.FullName, "trimmed.json");
            var normalJson = Path.Combine(dir.FullName, "normal.json");
            var trimmed = build.Run("demo", "--json", trimmedJson);
            var normal = CliProcess.Run("demo", "--json", normalJson);
            Assert.True(normal.ExitCode == 2, $"normal build: exit {normal.ExitCode}\n{normal.Stderr}");
            Assert.True(trimmed.ExitCode == normal.ExitCode, $"trimmed build: exit {trimmed.ExitCode}\n{trimmed.Stderr}");

            using var t = JsonDocument.Parse(File.ReadAllBytes(trimmedJson));
            using var n = JsonDocument.Parse(File.ReadAllBytes(normalJson));
            var findings = n.RootElement.GetProperty("findings");
            Assert.True(findings.GetArrayLength() > 20, $"{findings.GetArrayLength()} findings on the demo");
            Assert.Equal("compromised", n.RootElement.GetProperty("verdict").GetString());
            Assert.Equal(RuleCounts(n.RootElement), RuleCounts(t.RootElement));
            foreach (var key in Compared)
            {
                Assert.True(n.RootElement.TryGetProperty(key, out var expected), $"normal report has no '{key}'");
                Assert.True(t.RootElement.TryGetProperty(key, out var actual), $"trimmed report has no '{key}'");
                Assert.True(expected.GetRawText() == actual.GetRawText(), $"'{key}' differs between the trimmed and the normal build");
            }
            // The console report (verdict, story, timeline) is the same text too, but for the temp folder and the run time.
            Assert.Equal(Console(normal.Stdout, n.RootElement), Console(trimmed.Stdout, t.RootElement));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public void The_trimmed_build_lists_every_detection_and_names_its_version()
    {
        Skip.If(build.SkipReason is not null, build.SkipReason);
        var trimmed = build.Run("rules");
        var normal = CliProcess.Run("rules");
        Assert.Equal(0, trimmed.ExitCode);
        Assert.Equal(normal.Stdout, trimmed.Stdout);
        Assert.Contains("exch-ssrf-serverinfo", trimmed.Stdout);

        var version = build.Run("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Equal(CliProcess.Run("--version").Stdout, version.Stdout);
        Assert.Matches(@"^\d+\.\d+\.\d+\+([0-9a-f]{12}|nogit)$", version.Stdout.Trim());
    }

    [SkippableFact]
    public void The_trimmed_build_loads_sigma_rules_as_the_normal_build_does()
    {
        Skip.If(build.SkipReason is not null, build.SkipReason);
        var web = Corpus.Path_("sigma/rules/web");
        var trimmedLint = build.Run("rules", "lint", web, "--json");
        var normalLint = CliProcess.Run("rules", "lint", web, "--json");
        Assert.Equal(normalLint.ExitCode, trimmedLint.ExitCode);
        Assert.Equal(normalLint.Stdout, trimmedLint.Stdout);
        using (var lint = JsonDocument.Parse(trimmedLint.Stdout))
            Assert.True(lint.RootElement.GetProperty("loaded").GetInt32() > 5, trimmedLint.Stdout);

        var trimmed = build.Run("rules", "--sigma", web);
        Assert.Equal(0, trimmed.ExitCode);
        Assert.Equal(CliProcess.Run("rules", "--sigma", web).Stdout, trimmed.Stdout);
        Assert.Contains("sigma:", trimmed.Stdout);
    }

    private static string Console(string stdout, JsonElement report) =>
        Regex.Replace(stdout.Replace(report.GetProperty("root").GetString()!, "ROOT"), @", [0-9.]+ m?s\)", ", TIME)");

    private static SortedDictionary<string, int> RuleCounts(JsonElement report)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in report.GetProperty("findings").EnumerateArray())
        {
            var key = f.GetProperty("rule").GetString() + " @ " + f.GetProperty("host").ToString();
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }
}
