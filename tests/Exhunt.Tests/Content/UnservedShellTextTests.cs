using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Content;

/// <summary>
/// A document quoting a web-shell payload is not an implanted shell: the corpus's own SOURCES.md (which quotes the
/// CVE-2021-27065 OAB ExternalUrl payload) scanned alone once gave COMPROMISED.
/// </summary>
public class UnservedShellTextTests
{
    [SkippableFact]
    public void Corpus_write_up_quoting_the_oab_payload_is_suspicious_not_compromised()
    {
        var source = Corpus.Path_("logs/SOURCES.md");
        var dir = Directory.CreateTempSubdirectory("exhunt-unserved-");
        try
        {
            File.Copy(source, Path.Combine(dir.FullName, "SOURCES.md"));
            var result = new Scanner(new ScanOptions()).Scan(dir.FullName);
            Assert.Contains(result.Findings, f => f.Rule.Id == "content-webshell-unserved");
            Assert.DoesNotContain(result.Findings, f => f.Rule.Id == "content-oab-dump-script");
            Assert.Equal(Verdict.Suspicious, result.Story.Verdict);
        }
        finally { dir.Delete(recursive: true); }
    }
}
