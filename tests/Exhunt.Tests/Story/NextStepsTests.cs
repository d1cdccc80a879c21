using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Story;

namespace Exhunt.Tests.Story;

public class NextStepsTests(DemoScan demo) : IClassFixture<DemoScan>
{
    [Fact]
    public void The_demo_compromise_gets_steps_naming_what_was_found()
    {
        var steps = NextSteps.For(demo.Result);
        var keys = steps.Select(s => s.Key).ToList();
        Assert.Contains("isolate", keys);
        Assert.Contains(steps, s => s.Key == "patch" && s.Text.Contains("KB5000871") && s.Text.Contains("CVE-2021-26855"));
        Assert.Contains(steps, s => s.Key == "remove-shells" && s.Items.Any(i => i.EndsWith("RedirSuiteServerProxy.aspx", StringComparison.Ordinal)));
        Assert.Contains(steps, s => s.Key == "reset-credentials");
        Assert.Contains(steps, s => s.Key == "review-exports" && s.Findings.Count > 0);
        Assert.Contains(steps, s => s.Key == "review-archives" && s.Items.Any(i => i.EndsWith("it.zip", StringComparison.Ordinal)));
        Assert.Contains(steps, s => s.Key == "block-ips" && s.Items.Contains("104.140.114.110"));
        Assert.All(steps, s => Assert.StartsWith("https://", s.Source.Url));
        Assert.DoesNotContain(steps, s => s.Text.Contains('{'));
    }

    [Fact]
    public void Inconclusive_names_the_missing_logs()
    {
        var coverage = new[] { new Coverage(ArtifactKind.Iis, null, null, 1, 0) };
        var steps = NextSteps.For("EX02", Verdict.Inconclusive, [], coverage);
        var collect = Assert.Single(steps, s => s.Key == "collect");
        Assert.Contains("IIS logs", collect.Text);
        Assert.Contains("event logs", collect.Text);
        Assert.DoesNotContain(steps, s => s.Key == "clean");
    }

    [Fact]
    public void Attempts_only_get_patch_and_confirm_not_clean_up()
    {
        var rule = new RuleInfo("t", "ProxyShell SSRF", Severity.High, ["CVE-2021-34473"], ["T1190"], "initial-access", Proves.Attempt);
        var f = new Finding { Rule = rule, Outcome = Outcome.Failed, Artifact = "u_ex.log", Line = 3, Id = "F1", Host = "EX01", ClientIp = "89.248.165.52" };
        var steps = NextSteps.For("EX01", Verdict.Attempted, [f], []);
        Assert.Contains(steps, s => s.Key == "patch" && s.Text.Contains("KB5001779"));
        Assert.Contains(steps, s => s.Key == "attempted");
        Assert.DoesNotContain(steps, s => s.Key is "isolate" or "remove-shells" or "reset-credentials");
    }

    [Fact]
    public void Exposure_names_the_update_when_the_build_is_known()
    {
        var steps = NextSteps.For("EX01", Verdict.Clean, [], [], exposure: [new ExposureFix("EX01", "Exchange 2016 CU23 Nov24SUv2", "KB5044062", ["CVE-2024-49040"])]);
        Assert.Contains(steps, s => s.Key == "patch" && s.Text.Contains("Exchange 2016 CU23 Nov24SUv2") && s.Text.Contains("KB5044062"));
    }
}
