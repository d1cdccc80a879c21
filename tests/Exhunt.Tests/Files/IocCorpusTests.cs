using Exhunt.Detection.Iocs;
using Exhunt.Evidence;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Files;

/// <summary>The bundled IOC data covers the published sources kept in the shared corpus.</summary>
public class IocCorpusTests
{
    private static IEnumerable<string[]> MsticRows() =>
        File.ReadLines(Corpus.Path_("iocs/azure-sentinel-msticiocs/MSTICIoCs-ExchangeServerVulnerabilitiesDisclosedMarch2021.csv"))
            .Skip(1).Select(l => l.Split(',')).Where(c => c.Length >= 4);

    [SkippableFact]
    public void Every_mstic_file_path_matches_as_a_kape_collected_file()
    {
        var paths = MsticRows().Where(c => c[3] == "filepath").Select(c => c[2]).ToList();
        Assert.True(paths.Count > 40);
        foreach (var p in paths)
        {
            var kape = p[0] + "/" + p[3..].Replace('\\', '/'); // C:\x\y → C/x/y
            Assert.True(IocData.MatchPath(EvidencePath.Segments(EvidencePath.Normalise(kape))) is not null, $"MSTIC path not covered: {p}");
        }
    }

    [SkippableFact]
    public void Every_mstic_and_signature_base_exchange_hash_is_bundled()
    {
        var hashes = MsticRows().Where(c => c[3] == "sha256").Select(c => c[2])
            .Concat(File.ReadLines(Corpus.Path_("signature-base/iocs/hash-iocs.exchange-lines.txt")).Select(l => l.Split(';')[0]))
            .Where(h => h.Length == 64).ToList();
        Assert.True(hashes.Count >= 17);
        foreach (var h in hashes) Assert.True(IocData.Hashes.ContainsKey(h.ToLowerInvariant()), $"hash not bundled: {h}");
    }

    [Fact]
    public void Bundled_lists_load_and_keep_stock_pages_out_of_the_name_list()
    {
        Assert.True(IocData.Ips.Count >= 13);
        Assert.True(IocData.Hashes.Count >= 30);
        Assert.False(IocData.WebShellNames.ContainsKey("outlookcn.aspx"));
        Assert.False(IocData.WebShellNames.ContainsKey("logon.aspx"));
        Assert.False(IocData.WebShellNames.ContainsKey("redirsuiteserviceproxy.aspx"));
    }
}
