using Exhunt.Findings;
using Exhunt.Story;

namespace Exhunt.Tests.Story;

public class StoryTellerTests
{
    private static RuleInfo Rule(string id, Proves proves, string tactic = "initial-access", Proves? withExploitation = null) =>
        new(id, id, Severity.High, ["CVE-2021-26855"], ["T1190"], tactic, proves, withExploitation);

    private static Finding F(RuleInfo rule, string? ip, int minute, Outcome outcome = Outcome.Unknown) => new()
    {
        Rule = rule, ClientIp = ip, Outcome = outcome, Artifact = "a.log", Line = minute,
        Time = minute < 0 ? null : new DateTime(2021, 3, 3, 2, 0, 0, DateTimeKind.Utc).AddMinutes(minute),
    };

    [Fact]
    public void No_findings_is_clean()
    {
        var story = StoryTeller.Tell([]);
        Assert.Equal(Verdict.Clean, story.Verdict);
        Assert.Empty(story.Incidents);
        Assert.StartsWith("Clean", story.Sentence);
    }

    [Fact]
    public void Failed_attempts_only_is_attempted()
    {
        var probe = Rule("probe", Proves.Attempt);
        var story = StoryTeller.Tell([F(probe, "198.51.100.9", 1, Outcome.Failed), F(probe, "198.51.100.9", 2, Outcome.Failed)]);
        Assert.Equal(Verdict.Attempted, story.Verdict);
        Assert.Contains("198.51.100.9", story.Sentence);
        Assert.Contains("CVE-2021-26855", story.Sentence);
    }

    [Fact]
    public void Successful_attempt_or_compromise_evidence_is_compromised_but_a_failed_compromise_action_is_not()
    {
        Assert.Equal(Verdict.Compromised, StoryTeller.VerdictOf([F(Rule("ssrf", Proves.Attempt), "1.2.3.4", 1, Outcome.Succeeded)]));
        Assert.Equal(Verdict.Compromised, StoryTeller.VerdictOf([F(Rule("shell", Proves.Compromise), null, 1)]));
        Assert.Equal(Verdict.Attempted, StoryTeller.VerdictOf([F(Rule("export", Proves.Compromise), null, 1, Outcome.Failed)]));
    }

    [Fact]
    public void Context_raises_the_verdict_only_together_with_exploitation()
    {
        var dump = Rule("lsass-dump", Proves.Context, "credential-access", withExploitation: Proves.Compromise);
        var probe = Rule("probe", Proves.Attempt);
        Assert.Equal(Verdict.Clean, StoryTeller.VerdictOf([F(dump, null, 5)]));
        // Issue 6: a failed attempt raises context at most to suspicious; a successful exploitation raises it fully.
        Assert.Equal(Verdict.Attempted, StoryTeller.VerdictOf([F(probe, "1.2.3.4", 1, Outcome.Failed), F(dump, null, 5)]));
        Assert.Equal(Verdict.Compromised, StoryTeller.VerdictOf([F(Rule("export", Proves.Compromise), null, 1), F(dump, null, 5)]));
        Assert.Equal(Verdict.Suspicious, StoryTeller.VerdictOf([F(Rule("odd", Proves.Weak), null, 5)]));
    }

    [Fact]
    public void Findings_group_by_client_ip_and_host_findings_join_the_incident_in_their_hours()
    {
        var ssrf = Rule("ssrf", Proves.Attempt);
        var cmd = Rule("cmdlet", Proves.Compromise, "persistence");
        var story = StoryTeller.Tell([
            F(ssrf, "203.0.113.7", 0, Outcome.Succeeded),
            F(ssrf, "198.51.100.9", 30, Outcome.Failed),
            F(cmd, null, 10),
            F(cmd, null, 600),
        ]);
        Assert.Equal(3, story.Incidents.Count);
        var first = story.Incidents[0];
        Assert.Equal(["203.0.113.7"], first.ClientIps);
        Assert.Equal(2, first.Findings.Count);
        Assert.Equal("persistence", first.Stage);
        Assert.Equal(Verdict.Compromised, first.Verdict);
        Assert.Equal(Verdict.Attempted, story.Incidents[1].Verdict);
        Assert.Empty(story.Incidents[2].ClientIps);
    }
}

public class StoryTellerHostFindingTests
{
    [Fact]
    public void Host_finding_joins_the_successful_intruder_not_the_scanner_in_the_same_hour()
    {
        var ssrf = new RuleInfo("ssrf", "ssrf", Severity.High, [], [], "initial-access", Proves.Attempt);
        var dump = new RuleInfo("dump", "dump", Severity.High, [], [], "credential-access", Proves.Compromise);
        var t0 = new DateTime(2021, 3, 3, 2, 0, 0, DateTimeKind.Utc);
        Finding F(RuleInfo r, string? ip, int min, Outcome o) => new() { Rule = r, ClientIp = ip, Outcome = o, Artifact = "a", Time = t0.AddMinutes(min) };
        var story = StoryTeller.Tell([F(ssrf, "198.51.100.9", 40, Outcome.Failed), F(ssrf, "203.0.113.7", 0, Outcome.Succeeded), F(dump, null, 45, Outcome.Unknown)]);
        var intruder = story.Incidents.Single(i => i.ClientIps.Contains("203.0.113.7"));
        Assert.Contains(intruder.Findings, f => f.Rule.Id == "dump");
    }
}

public class InternalHopTests
{
    [Theory]
    [InlineData("10.0.0.10", true)]
    [InlineData("192.168.1.5", true)]
    [InlineData("172.20.0.1", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::d9e3:e981:da2d:427b%3", true)]
    [InlineData("10.0.0.10:51234", true)]
    [InlineData("104.140.114.110", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("not an ip", false)]
    public void Internal_addresses_are_recognised(string ip, bool internalHop) =>
        Assert.Equal(internalHop, Exhunt.Story.IpAddresses.IsInternal(ip));

    [Fact]
    public void Back_end_hop_in_the_intruders_hours_folds_into_the_intrusion_and_stays_out_of_the_sentence()
    {
        var ssrf = new RuleInfo("ssrf", "ssrf", Severity.High, ["CVE-2021-26855"], [], "initial-access", Proves.Attempt);
        var reset = new RuleInfo("reset", "reset", Severity.Critical, ["CVE-2021-27065"], [], "persistence", Proves.Compromise);
        var t0 = new DateTime(2021, 3, 2, 6, 47, 0, DateTimeKind.Utc);
        var story = StoryTeller.Tell([
            new Finding { Rule = ssrf, ClientIp = "104.140.114.110", Outcome = Outcome.Succeeded, Artifact = "a", Time = t0 },
            new Finding { Rule = reset, ClientIp = "10.0.0.10", Outcome = Outcome.Succeeded, Artifact = "W3SVC2/u_ex.log", Time = t0.AddSeconds(20) },
        ]);
        var incident = Assert.Single(story.Incidents);
        Assert.Equal(2, incident.Findings.Count);
        Assert.Contains("104.140.114.110", story.Sentence);
        Assert.DoesNotContain("10.0.0.10", story.Sentence);
    }
}
