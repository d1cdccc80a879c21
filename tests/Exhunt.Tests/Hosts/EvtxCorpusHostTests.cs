using Exhunt.Reports;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Hosts;

/// <summary>Issue 6, repros 6 and 11, on the public EVTX samples read by our own reader.</summary>
public class EvtxCorpusHostTests
{
    private static bool IsLsass(Exhunt.Findings.Finding f) => f.Rule.Id.Contains("lsass", StringComparison.OrdinalIgnoreCase);

    [SkippableFact]
    public void Mimikatz_next_to_a_web_shell_36_days_later_is_not_compromise_by_that_shell()
    {
        var mimikatz = Corpus.Path_("evtx/EVTX-ATTACK-SAMPLES/Credential Access/babyshark_mimikatz_powershell.evtx");
        var shell = Corpus.Path_("evtx/EVTX-ATTACK-SAMPLES/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx");
        using var dir = new Fixture.TempDir();
        File.Copy(mimikatz, Path.Combine(dir.Path, "a.evtx"));
        File.Copy(shell, Path.Combine(dir.Path, "b.evtx"));
        var result = new Scanner(new ScanOptions()).Scan(dir.Path);
        var lsass = result.Findings.Where(IsLsass).ToList();
        Assert.NotEmpty(lsass);
        Assert.DoesNotContain(result.Story.Incidents, i => i.Verdict == Verdict.Compromised && i.Findings.Any(IsLsass));
    }

    [SkippableFact]
    public void Whole_evtx_corpus_headlines_Exchange_hosts_fits_a_screen_and_keeps_LSASS_events_on_their_hosts()
    {
        var folder = Corpus.Path_("evtx");
        var result = new Scanner(new ScanOptions()).Scan(folder);

        foreach (var host in new[] { "ad01", "fs03", "pc04" })
        {
            Assert.Contains(result.Findings, f => f.Host == host && IsLsass(f));
            Assert.NotEqual(Verdict.Compromised, result.Story.Hosts.Single(h => h.Host == host).Verdict);
            Assert.DoesNotContain(result.Story.Incidents, i => i.Host == host && i.Verdict == Verdict.Compromised);
        }
        Assert.All(result.Story.Incidents, i => Assert.Single(i.Findings.Select(f => f.Host).Distinct()));

        var exchange = result.Story.Hosts.Where(h => h.Exchange).ToList();
        Assert.NotEmpty(exchange);
        Assert.True(result.Story.Hosts[0].Exchange, "Exchange hosts come first");
        Assert.StartsWith(exchange[0].Host, result.Story.Sentence);

        var o = new StringWriter();
        ConsoleReport.Write(result, o);
        var lines = o.ToString().Split('\n');
        Assert.True(lines.Length <= 60, $"{lines.Length} lines:\n{o}");
        Assert.True(lines.Count(l => l.Contains("cleared", StringComparison.OrdinalIgnoreCase)) <= 12, o.ToString());
    }
}
