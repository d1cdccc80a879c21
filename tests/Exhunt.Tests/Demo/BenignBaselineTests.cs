using Exhunt.Demo;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Demo;

/// <summary>The false-positive baseline: days of ordinary Exchange traffic and a stock install, no intrusion.</summary>
public class BenignBaselineTests
{
    [Fact]
    public void Benign_traffic_alone_is_clean_with_no_findings()
    {
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, new DemoOptions { Intrusion = false, Days = 3, RequestsPerDay = 3000 });
        var result = new Scanner(new ScanOptions()).Scan(dir.Path);

        Assert.True(result.Artifacts.Sum(a => a.Stats.Records) > 10_000);
        Assert.All(result.Artifacts, a => Assert.Equal(0, a.Stats.Skipped));
        Assert.Empty(result.Findings.Select(f => $"{f.Rule.Id} {f.Artifact}:{f.Line} {f.Evidence}"));
        Assert.Equal(Verdict.Clean, result.Story.Verdict);
    }
}
