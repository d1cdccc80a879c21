using System.Text.Json;
using Exhunt.Cli;
using Exhunt.Detection.Sigma;
using Exhunt.Tests.Support;
using Xunit.Abstractions;

namespace Exhunt.Tests.Sigma;

/// <summary><c>exhunt rules lint</c> and <c>scan --sigma</c>: every rule accounted for; the SigmaHQ tree loads.</summary>
public class SigmaLintTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Lint_json_accounts_for_every_curated_rule_file()
    {
        var root = Corpus.Path_("sigma");
        var result = CliProcess.Run("rules", "lint", root, "--json");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Stdout);
        var loaded = doc.RootElement.GetProperty("loaded").GetInt32();
        var rejected = doc.RootElement.GetProperty("rejected").GetArrayLength();
        var unsupported = doc.RootElement.GetProperty("unsupported_logsource").GetInt32();
        var ruleFiles = Directory.EnumerateFiles(root, "*.yml", SearchOption.AllDirectories).Count(f => !f.Contains("regression_data"));
        // Each curated file holds one rule: every one is loaded, rejected or unsupported.
        Assert.Equal(ruleFiles, loaded + rejected + unsupported);
        Assert.True(loaded >= 0.95 * (loaded + rejected), $"{loaded} loaded, {rejected} rejected");
    }

    [SkippableFact]
    public void At_least_95_percent_of_the_full_tree_with_a_supported_log_source_loads()
    {
        var root = SigmaCorpus.Full();
        var folders = Directory.GetDirectories(root).Where(d => Path.GetFileName(d).StartsWith("rules", StringComparison.Ordinal)).ToList();
        var report = SigmaLoader.Load(folders).Report;
        foreach (var r in report.Rejected) output.WriteLine($"{r.Path}: {r.Reason}");
        output.WriteLine($"loaded {report.Loaded}, rejected {report.Rejected.Count}, unsupported {report.UnsupportedLogSource}");
        Assert.True(report.Loaded > 2800, $"{report.Loaded} loaded");
        Assert.True(report.Loaded >= 0.95 * (report.Loaded + report.Rejected.Count), $"{report.Loaded} loaded, {report.Rejected.Count} rejected");
    }

    [Fact]
    public void Lint_text_lists_rejects_with_reasons()
    {
        var dir = Directory.CreateTempSubdirectory("exhunt-lint-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "good.yml"), "title: good\nid: g1\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        Image|endswith: '\\x.exe'\n    condition: sel\n");
            File.WriteAllText(Path.Combine(dir.FullName, "bad.yml"), "title: bad\nid: b1\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        Image|bogus: x\n    condition: sel\n");
            File.WriteAllText(Path.Combine(dir.FullName, "linux.yml"), "title: l\nid: l1\nlogsource:\n    category: process_creation\n    product: linux\ndetection:\n    sel:\n        Image: x\n    condition: sel\n");
            File.WriteAllText(Path.Combine(dir.FullName, "broken.yml"), "title: [unclosed\n");
            var text = new StringWriter();
            Assert.Equal(0, RulesCommand.RunLint(dir.FullName, json: false, text));
            var s = text.ToString();
            Assert.Contains("loaded: 1", s);
            Assert.Contains("unsupported log source: 1", s);
            Assert.Contains("rejected: 2", s);
            Assert.Contains("unsupported modifier 'bogus'", s);
            Assert.Contains("YAML error", s);
        }
        finally { dir.Delete(true); }
    }

    [SkippableFact]
    public void Scan_with_sigma_adds_sigma_findings_to_the_json_report()
    {
        var zip = Corpus.Path_("otrf-proxylogon/proxylogon_ssrf_rce_poc.zip");
        var rules = Corpus.Path_("sigma/rules/windows/builtin/msexchange");
        var result = CliProcess.Run("scan", zip, "--sigma", rules, "--json", "-", "--no-progress");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Sigma: 7 rules loaded, 0 rejected", result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var text = doc.RootElement.ToString();
        Assert.Contains("sigma:550d3350-bb8a-4ff3-9533-2ba533f4a1c0", text);
    }

    [Fact]
    public void Scan_with_a_missing_sigma_path_is_a_usage_error()
    {
        var dir = Directory.CreateTempSubdirectory("exhunt-scan-");
        try
        {
            var result = CliProcess.Run("scan", dir.FullName, "--sigma", Path.Combine(dir.FullName, "nope"), "--no-progress");
            Assert.Equal(64, result.ExitCode);
            Assert.Contains("does not exist", result.Stderr);
        }
        finally { dir.Delete(true); }
    }
}
