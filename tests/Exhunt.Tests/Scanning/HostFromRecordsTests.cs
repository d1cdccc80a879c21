using System.IO.Compression;
using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Scanning;

/// <summary>
/// A zip named like a server ("lab.zip") whose logs name their own server: the logs' coverage and their findings
/// land on the server the records name, so no host is reported clean while its own logs are compromised elsewhere.
/// </summary>
public class HostFromRecordsTests
{
    [SkippableFact]
    public void A_log_in_a_zip_named_like_a_host_is_covered_under_the_server_its_records_name()
    {
        var lab = Corpus.Path_("logs/lab");
        var folder = Directory.CreateTempSubdirectory("exhunt-hostrec-");
        try
        {
            ZipFile.CreateFromDirectory(lab, Path.Combine(folder.FullName, "lab.zip"));
            var result = new Scanner(new ScanOptions()).Scan(folder.FullName);

            var logs = result.Artifacts.Where(a => a.Stats.Records > 0).ToList();
            Assert.NotEmpty(logs);
            var findingHosts = result.Findings.Where(f => f.Severity >= Severity.High).Select(f => f.Host).Distinct().ToList();
            Assert.Equal(["win-03fgegklspr"], findingHosts);
            Assert.All(logs, a => Assert.Equal("win-03fgegklspr", a.Host));
            Assert.Equal(Verdict.Compromised, result.Story.Hosts.Single(h => h.Host == "win-03fgegklspr").Verdict);
            Assert.DoesNotContain(result.Story.Hosts, h => h.Verdict == Verdict.Clean);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_redaction_placeholder_is_no_host()
    {
        Assert.Null(HostName.Normalize("[REDACTED]"));
        Assert.Equal("exch01", HostName.Normalize("EXCH01"));
    }
}
