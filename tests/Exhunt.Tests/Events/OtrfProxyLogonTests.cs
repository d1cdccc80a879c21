using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;
using Xunit.Abstractions;

namespace Exhunt.Tests.Events;

/// <summary>End to end over the only public event trace of ProxyLogon post-exploitation (OTRF SDWIN-210314014019), scanned as a zip.</summary>
public class OtrfProxyLogonTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Scanning_the_zip_finds_the_chain_and_says_compromised()
    {
        var zip = Corpus.Path_("otrf-proxylogon/proxylogon_ssrf_rce_poc.zip");
        var result = new Scanner(new ScanOptions()).Scan(zip);
        foreach (var f in result.Findings)
            output.WriteLine($"{f.Rule.Id} | {f.DisplayTitle} | {f.Outcome} | {f.Evidence}");

        var json = Assert.Single(result.Artifacts, a => a.File.Kind == ArtifactKind.EventJson);
        Assert.Equal(10487, json.Stats.Records);
        Assert.Equal(0, json.Stats.Skipped);

        // w3wp -> cmd /c whoami, from Sysmon 1 and Security 4688
        // Sysmon names the parent's pool (MSExchangeOWAAppPool): compromise; 4688 does not: weak until exploitation is shown.
        var shell = result.Findings.Where(f => f.Rule.Id == "evt-proc-w3wp-shell").ToList();
        Assert.Equal(2, shell.Count);
        Assert.All(shell, f => Assert.Equal("MSExchangeOWAAppPool", f.Details!["appPool"]));
        var unknownPool = result.Findings.Where(f => f.Rule.Id == "evt-proc-w3wp-shell-unknown-pool").ToList();
        Assert.Equal(2, unknownPool.Count);
        Assert.All(shell.Concat(unknownPool), f => Assert.Equal("cmd /c whoami", f.Evidence));
        Assert.All(shell.Concat(unknownPool), f => Assert.Equal("mxs01", f.Host));
        // ohyeah.aspx written into owa\auth (Sysmon 11 by System, Security 5145 over \\127.0.0.1\C$)
        var written = result.Findings.Where(f => f.Rule.Id == "evt-file-webshell-write").ToList();
        Assert.NotEmpty(written);
        Assert.All(written, f => Assert.EndsWith(@"owa\auth\ohyeah.aspx", f.Evidence));
        // Set-OabVirtualDirectory with the JScript payload, then the reset (Remove/New)
        var vdir = Assert.Single(result.Findings, f => f.Rule.Id == "evt-exch-vdir-url-script");
        Assert.Equal(Outcome.Succeeded, vdir.Outcome);
        Assert.Contains("eval(Request[\"code\"],\"unsafe\")", vdir.Evidence);
        Assert.Equal(2, result.Findings.Count(f => f.Rule.Id == "evt-exch-oab-vdir-recreated"));

        // Nothing else in the run looks like an attack: no dump, no log deletion, no Defender hit.
        Assert.DoesNotContain(result.Findings, f => f.Rule.Id.StartsWith("evt-lsass") || f.Rule.Id.StartsWith("evt-defense") || f.Rule.Id.StartsWith("evt-defender"));

        Assert.Equal(Verdict.Compromised, result.Story.Verdict);
    }
}
