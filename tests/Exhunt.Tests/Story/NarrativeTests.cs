using Exhunt.Findings;
using Exhunt.Story;

namespace Exhunt.Tests.Story;

/// <summary>Issue 6, repro 10: the story never claims more than the verdict.</summary>
public class NarrativeTests
{
    private static readonly DateTime T0 = new(2021, 3, 3, 2, 0, 0, DateTimeKind.Utc);

    private static RuleInfo R(string id, string title, Proves proves, string tactic = "initial-access", Proves? with = null) =>
        new(id, title, Severity.High, ["CVE-2021-26855"], [], tactic, proves, with);

    private static Finding F(RuleInfo rule, int minute, string? ip = "203.0.113.7", Outcome outcome = Outcome.Unknown, string artifact = "a.log", bool line = true) =>
        new() { Rule = rule, ClientIp = ip, Outcome = outcome, Artifact = artifact, Line = line ? minute + 1 : null, Time = minute < 0 ? null : T0.AddMinutes(minute), Host = "exch01" };

    [Fact]
    public void Failed_steps_read_as_tries_and_reach_nothing()
    {
        var story = StoryTeller.Tell([F(R("ssrf", "ProxyLogon SSRF", Proves.Attempt), 0, outcome: Outcome.Failed)]);
        var incident = Assert.Single(story.Incidents);
        var step = Assert.Single(Narrative.Tell(incident));
        Assert.Equal("Tried to get in", step.Stage);
        Assert.Null(incident.ReachedStage);
        Assert.DoesNotContain("Got in", step.Stage);
    }

    [Fact]
    public void Succeeded_steps_read_as_done_and_other_kinds_are_named()
    {
        var story = StoryTeller.Tell([
            F(R("ssrf", "ProxyLogon SSRF", Proves.Attempt), 0, outcome: Outcome.Succeeded),
            F(R("ua", "HAFNIUM user agent", Proves.Attempt), 1),
            F(R("static", "POST to a static resource", Proves.Attempt), 2),
        ]);
        var step = Assert.Single(Narrative.Tell(Assert.Single(story.Incidents)));
        Assert.Equal("Got in", step.Stage);
        Assert.Contains("also HAFNIUM user agent", step.Text);
        Assert.Contains("POST to a static resource", step.Text);
        Assert.DoesNotContain("more kind(s) of evidence", step.Text);
        Assert.Equal("initial-access", story.Incidents[0].ReachedStage);
    }

    [Fact]
    public void Identical_findings_collapse_into_one_line_with_a_count()
    {
        var clear = R("clear", "Security log cleared", Proves.Weak, "defense-evasion");
        var story = StoryTeller.Tell(Enumerable.Range(0, 5).Select(i => F(clear, i, ip: null)).ToList());
        var step = Assert.Single(Narrative.Tell(Assert.Single(story.Incidents)));
        Assert.Contains("×5", step.Text);
        Assert.Equal("Covered tracks?", step.Stage);
    }

    [Fact]
    public void A_file_joins_the_incident_that_implicates_it_never_a_no_timestamps_incident_of_its_own()
    {
        var ssrf = R("ssrf", "ProxyLogon SSRF", Proves.Attempt);
        var implicated = new RuleInfo("corr-implicated-file-present", "File the logs implicate", Severity.Critical, [], [], "persistence", Proves.Compromise);
        var page = new RuleInfo("file-nonstock-page", "Non-stock page", Severity.High, [], [], "persistence", Proves.Weak, Proves.Compromise);
        const string shell = "C/inetpub/wwwroot/aspnet_client/x.aspx";
        var story = StoryTeller.Tell([
            F(ssrf, 0, outcome: Outcome.Succeeded),
            F(ssrf, 500, ip: "198.51.100.9", outcome: Outcome.Failed),
            F(implicated, 3, artifact: shell, line: false),
            F(page, -1, ip: null, artifact: shell, line: false),
        ]);
        Assert.DoesNotContain(story.Incidents, i => i.First is null);
        var intrusion = story.Incidents.Single(i => i.ClientIps.Contains("203.0.113.7"));
        Assert.Contains(intrusion.Findings, f => f.Rule.Id == "file-nonstock-page");
    }

    [Fact]
    public void Context_alone_tells_no_stage_so_a_clean_verdict_never_sits_next_to_took_credentials()
    {
        var lsass = R("lsass", "LSASS access", Proves.Context, "credential-access", Proves.Compromise);
        var story = StoryTeller.Tell([F(lsass, 0, ip: null)]);
        Assert.Equal(Verdict.Clean, story.Verdict);
        Assert.Empty(story.Incidents);
    }
}
