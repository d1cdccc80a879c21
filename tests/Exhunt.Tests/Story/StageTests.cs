using Exhunt.Demo;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Story;

public class StageTests
{
    private static readonly RuleInfo Ssrf = new("t-ssrf", "SSRF", Severity.High, ["CVE-2021-26855"], ["T1190"], "initial-access", Proves.Attempt);
    private static readonly RuleInfo Shell = new("t-shell", "Shell written", Severity.Critical, [], ["T1505.003"], "persistence", Proves.Compromise);
    private static readonly RuleInfo ShellCmd = new("t-cmd", "Command through shell", Severity.Critical, [], ["T1059"], "execution", Proves.Attempt);
    private static readonly RuleInfo Dump = new("t-dump", "LSASS dump", Severity.High, [], ["T1003.001"], "credential-access", Proves.Context, Proves.Compromise);

    private static Finding F(RuleInfo rule, Outcome outcome, string id, string host = "EX01") => new()
    {
        Rule = rule, Outcome = outcome, Artifact = "x.log", Id = id, Host = host, Time = new DateTime(2021, 3, 2, 6, 0, 0, DateTimeKind.Utc),
    };

    private static readonly Coverage[] WebAndEvents =
    [
        new(ArtifactKind.Iis, new DateTime(2021, 2, 26, 0, 0, 0, DateTimeKind.Utc), new DateTime(2021, 3, 12, 0, 0, 0, DateTimeKind.Utc), 15, 40000),
        new(ArtifactKind.Evtx, new DateTime(2021, 2, 27, 0, 0, 0, DateTimeKind.Utc), new DateTime(2021, 3, 11, 0, 0, 0, DateTimeKind.Utc), 3, 9000),
    ];

    [Fact]
    public void Failed_attempts_are_probing_only()
    {
        var s = Stage.StageOf([F(Ssrf, Outcome.Failed, "F1"), F(Ssrf, Outcome.Unknown, "F2")], WebAndEvents);
        Assert.Equal(StageStep.Probed, s.Step);
        Assert.Equal("reconnaissance", s.Tactic);
        Assert.StartsWith("Probed only", s.Sentence);
        Assert.Contains(s.NotSeen, n => n.Tactic == "initial-access" && n.Checked);
    }

    [Fact]
    public void Exploited_with_nothing_after_is_the_preparation_stage_and_names_the_logs_that_say_so()
    {
        var s = Stage.StageOf([F(Ssrf, Outcome.Succeeded, "F1")], WebAndEvents);
        Assert.Equal(StageStep.Exploited, s.Step);
        Assert.Contains("preparation stage", s.Label);
        Assert.Contains("preparation stage", s.Sentence);
        Assert.Contains("no sign of a web shell planted, commands run through a shell, credential theft (LSASS)", s.Sentence);
        Assert.Contains("IIS logs and event logs covering 2021-02-26T00:00:00.000Z → 2021-03-12T00:00:00.000Z", s.Sentence);
        Assert.Equal(["persistence", "execution", "credential-access", "collection", "exfiltration"], s.NotSeen.Select(n => n.Tactic));
        Assert.Equal(["F1"], s.BackedBy.Findings);
    }

    [Fact]
    public void A_failed_command_does_not_make_execution()
    {
        var s = Stage.StageOf([F(Ssrf, Outcome.Succeeded, "F1"), F(Shell, Outcome.Unknown, "F2"), F(ShellCmd, Outcome.Failed, "F3")], WebAndEvents);
        Assert.Equal(StageStep.Persistence, s.Step);
        Assert.Contains(s.NotSeen, n => n.Step == StageStep.Execution);
    }

    [Fact]
    public void A_dump_counts_only_next_to_exploitation()
    {
        Assert.Equal(StageStep.None, Stage.StageOf([F(Dump, Outcome.Unknown, "F1")], WebAndEvents).Step);
        Assert.Equal(StageStep.CredentialAccess, Stage.StageOf([F(Ssrf, Outcome.Succeeded, "F1"), F(Dump, Outcome.Unknown, "F2")], WebAndEvents).Step);
    }

    [Fact]
    public void Without_event_logs_deeper_steps_are_not_checked_rather_than_not_seen()
    {
        var webOnly = WebAndEvents.Take(1).ToArray();
        var s = Stage.StageOf([F(Ssrf, Outcome.Succeeded, "F1")], webOnly);
        var cred = Assert.Single(s.NotSeen, n => n.Step == StageStep.CredentialAccess);
        Assert.False(cred.Checked);
        Assert.Contains("not checked for lack of logs: credential theft (LSASS)", s.Sentence);
        Assert.Contains("collect event logs", s.Sentence);
    }

    [Fact]
    public void Hosts_are_staged_apart()
    {
        var findings = new List<Finding> { F(Ssrf, Outcome.Succeeded, "F1", "EX01"), F(Shell, Outcome.Unknown, "F2", "EX01"), F(Ssrf, Outcome.Failed, "F3", "EX02") };
        var result = new ScanResult("x", [], findings, WebAndEvents, StoryTeller.Tell(findings), [], 0, TimeSpan.Zero);
        var hosts = Stage.PerHost(result);
        Assert.Equal(StageStep.Persistence, hosts.Single(h => h.Host == "EX01").Step);
        Assert.Equal(StageStep.Probed, hosts.Single(h => h.Host == "EX02").Step);
        Assert.Equal(StageStep.Persistence, Stage.StageOf(result).Step);
    }

    [Theory]
    [InlineData("kape", true)]
    [InlineData("velociraptor", true)]
    [InlineData("kape", false)]
    public void Demo_variants_tell_their_stage(string layoutName, bool intrusion)
    {
        var layout = layoutName == "kape" ? DemoLayout.Kape : DemoLayout.Velociraptor;
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, new DemoOptions { Days = 2, RequestsPerDay = 600, Seed = 99, Parallelism = 2, Layout = layout, Intrusion = intrusion });
        var result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(dir.Path);
        var s = Stage.StageOf(result);
        if (!intrusion)
        {
            Assert.True(s.Step <= StageStep.Probed, s.Sentence);
            return;
        }
        // The demo intruder planted a shell, dumped LSASS and exported mailboxes to a zip: collection, not exfiltration.
        Assert.Equal(StageStep.Collection, s.Step);
        Assert.StartsWith("Reached collection and staging", s.Sentence);
        var exfil = Assert.Single(s.NotSeen);
        Assert.Equal("exfiltration", exfil.Tactic);
        Assert.True(exfil.Checked);
        Assert.Contains("no sign of staged files taken out in the HttpProxy logs and IIS logs", s.Sentence.Replace("IIS logs and HttpProxy logs", "HttpProxy logs and IIS logs"));
    }
}
