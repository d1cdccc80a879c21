using Exhunt.Findings;
using Exhunt.Story;

namespace Exhunt.Tests.Story;

/// <summary>Issue 6: context is raised only by exploitation on its own host, inside the window after it.</summary>
public class HostScopeTests
{
    private static readonly DateTime T0 = new(2021, 3, 3, 2, 0, 0, DateTimeKind.Utc);
    private static readonly RuleInfo Ssrf = new("ssrf", "ProxyLogon SSRF", Severity.Critical, ["CVE-2021-26855"], [], "initial-access", Proves.Attempt);
    private static readonly RuleInfo Dump = new("lsass", "LSASS dump", Severity.High, [], [], "credential-access", Proves.Context, Proves.Compromise);

    private static Finding F(RuleInfo rule, string host, TimeSpan at, string? ip = null, Outcome outcome = Outcome.Unknown) =>
        new() { Rule = rule, Host = host, ClientIp = ip, Outcome = outcome, Artifact = host + ".log", Line = 1, Time = T0 + at };

    [Fact]
    public void Context_on_host_B_never_raises_host_A_or_itself_because_of_A()
    {
        var story = StoryTeller.Tell([
            F(Ssrf, "exch01", TimeSpan.Zero, "203.0.113.7", Outcome.Succeeded),
            F(Dump, "fs03", TimeSpan.FromMinutes(30)),
        ]);
        Assert.Equal(Verdict.Compromised, story.Verdict);
        Assert.Equal(Verdict.Compromised, story.Hosts.Single(h => h.Host == "exch01").Verdict);
        Assert.Equal(Verdict.Clean, story.Hosts.Single(h => h.Host == "fs03").Verdict);
        Assert.DoesNotContain(story.Incidents, i => i.Findings.Any(f => f.Rule.Id == "lsass"));
    }

    [Fact]
    public void Context_on_the_same_host_is_raised_inside_the_window_and_not_after_it()
    {
        var within = StoryTeller.Tell([F(Ssrf, "exch01", TimeSpan.Zero, "203.0.113.7", Outcome.Succeeded), F(Dump, "exch01", TimeSpan.FromDays(10))]);
        Assert.Contains(within.Incidents, i => i.Findings.Any(f => f.Rule.Id == "lsass") && i.Verdict == Verdict.Compromised);

        // 36 days later (the babyshark / IIS web-shell pair of issue 6): context only.
        var after = StoryTeller.Tell([F(Ssrf, "exch01", TimeSpan.Zero, "203.0.113.7", Outcome.Succeeded), F(Dump, "exch01", TimeSpan.FromDays(36))]);
        Assert.DoesNotContain(after.Incidents, i => i.Findings.Any(f => f.Rule.Id == "lsass"));
        // and never before the exploitation (beyond the stated lead)
        var before = StoryTeller.Tell([F(Ssrf, "exch01", TimeSpan.FromDays(5), "203.0.113.7", Outcome.Succeeded), F(Dump, "exch01", TimeSpan.Zero)]);
        Assert.DoesNotContain(before.Incidents, i => i.Findings.Any(f => f.Rule.Id == "lsass"));
    }

    [Fact]
    public void A_failed_attempt_raises_context_to_suspicious_at_most()
    {
        var story = StoryTeller.Tell([F(Ssrf, "exch01", TimeSpan.Zero, "203.0.113.7", Outcome.Failed), F(Dump, "exch01", TimeSpan.FromMinutes(5))]);
        Assert.Equal(Verdict.Attempted, story.Verdict);
        var withDump = story.Incidents.Single(i => i.Findings.Any(f => f.Rule.Id == "lsass"));
        Assert.Equal(Proves.Weak, withDump.LevelOf(withDump.Findings.Single(f => f.Rule.Id == "lsass")));
    }

    [Fact]
    public void A_page_planted_in_Exchange_web_folders_next_to_an_attempt_on_the_same_host_is_compromise()
    {
        var page = new RuleInfo("page", "Non-stock page in owa/auth", Severity.High, [], [], "persistence", Proves.Weak, Proves.Compromise);
        var story = StoryTeller.Tell([F(Ssrf, "exch01", TimeSpan.Zero, "203.0.113.7", Outcome.Failed), F(page, "exch01", TimeSpan.FromHours(1))]);
        Assert.Equal(Verdict.Compromised, story.Verdict);
        var elsewhere = StoryTeller.Tell([F(Ssrf, "exch01", TimeSpan.Zero, "203.0.113.7", Outcome.Failed), F(page, "exch02", TimeSpan.FromHours(1))]);
        Assert.Equal(Verdict.Suspicious, elsewhere.Hosts.Single(h => h.Host == "exch02").Verdict);
    }

    [Fact]
    public void Host_spellings_are_one_host()
    {
        Assert.Equal("exch01", HostName.Normalize("EXCH01.contoso.local"));
        Assert.Equal("exch01", HostName.Normalize(" exch01 "));
        Assert.Equal("10.0.0.5", HostName.Normalize("10.0.0.5"));
        Assert.Null(HostName.Normalize("-"));
        Assert.Null(HostName.Normalize(""));
        var story = StoryTeller.Tell([
            F(Ssrf, "EXCH01.contoso.local", TimeSpan.Zero, "203.0.113.7", Outcome.Succeeded),
            F(Dump, "exch01", TimeSpan.FromMinutes(5)),
        ]);
        var host = Assert.Single(story.Hosts);
        Assert.Equal("exch01", host.Host);
        Assert.Contains(story.Incidents, i => i.Findings.Any(f => f.Rule.Id == "lsass"));
    }

    [Fact]
    public void Incidents_never_span_hosts()
    {
        var story = StoryTeller.Tell([
            F(Ssrf, "exch01", TimeSpan.Zero, "203.0.113.7", Outcome.Succeeded),
            F(Ssrf, "exch02", TimeSpan.FromMinutes(1), "203.0.113.7", Outcome.Failed),
        ]);
        Assert.Equal(2, story.Incidents.Count);
        Assert.All(story.Incidents, i => Assert.Single(i.Findings.Select(f => f.Host).Distinct()));
        Assert.Equal(Verdict.Attempted, story.Hosts.Single(h => h.Host == "exch02").Verdict);
    }

    [Fact]
    public void Without_coverage_a_host_is_inconclusive_and_the_sentence_says_what_to_collect()
    {
        var empty = StoryTeller.Tell([], [], new ScanFacts(0, 0, 0, 0));
        Assert.Equal(Verdict.Inconclusive, empty.Verdict);
        Assert.Contains("Collect", empty.Sentence);
        Assert.Contains("no Exchange or IIS log record", empty.Sentence);

        var covered = new HostCoverage("exch01", true, ["httpproxy 10"], T0, T0.AddHours(3), 10, 0, 1);
        var bare = new HostCoverage("exch02", true, ["evtx (relevant events) 0"], null, null, 0, 0, 1);
        var story = StoryTeller.Tell([], [covered, bare], new ScanFacts(2, 0, 0, 10));
        Assert.Equal(Verdict.Inconclusive, story.Verdict);
        Assert.Equal(Verdict.Clean, story.Hosts.Single(h => h.Host == "exch01").Verdict);
        Assert.Equal(Verdict.Inconclusive, story.Hosts.Single(h => h.Host == "exch02").Verdict);
    }

    [Fact]
    public void Clean_names_its_window_and_kinds_and_says_when_it_is_shorter_than_a_day()
    {
        var shortDay = StoryTeller.Tell([], [new HostCoverage("exch01", true, ["httpproxy 10"], T0, T0.AddHours(3), 10, 0, 1)], new ScanFacts(1, 0, 0, 10));
        Assert.Equal(Verdict.Clean, shortDay.Verdict);
        Assert.Contains("httpproxy", shortDay.Sentence);
        Assert.Contains("2021-03-03T02:00:00", shortDay.Sentence);
        Assert.Contains("shorter than a day", shortDay.Sentence);
        var week = StoryTeller.Tell([], [new HostCoverage("exch01", true, ["iis 10"], T0, T0.AddDays(7), 10, 0, 1)], new ScanFacts(1, 0, 0, 10));
        Assert.DoesNotContain("shorter than a day", week.Sentence);
    }

    [Fact]
    public void A_non_Exchange_host_that_read_nothing_relevant_does_not_make_an_Exchange_scan_inconclusive()
    {
        var story = StoryTeller.Tell([], [
            new HostCoverage("exch01", true, ["httpproxy 10"], T0, T0.AddDays(3), 10, 0, 1),
            new HostCoverage("dc01", false, [], null, null, 0, 0, 3),
        ], new ScanFacts(4, 0, 0, 10));
        Assert.Equal(Verdict.Clean, story.Verdict);
        Assert.Equal(Verdict.Inconclusive, story.Hosts.Single(h => h.Host == "dc01").Verdict);
        Assert.Equal("exch01", story.Hosts[0].Host);
    }
}
