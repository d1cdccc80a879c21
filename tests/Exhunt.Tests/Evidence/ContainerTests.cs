using System.IO.Compression;
using System.Text;
using Exhunt.Evidence;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Evidence;

/// <summary>Every container is opened: zips in folders, zips in zips, with a line per container; 7z/rar listed as unread.</summary>
public sealed class ContainerTests
{
    private const string IisHeader = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-02 00:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n";

    private static string IisLog(int lines) => IisHeader + string.Concat(Enumerable.Range(0, lines).Select(i =>
        $"2021-03-02 00:{i / 60 % 60:00}:{i % 60:00} 10.0.0.10 GET /owa/ - 443 CONTOSO\\user{i} 10.20.1.{i % 250} Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 {i}\r\n"));

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        var ms = new MemoryStream();
        using (var z = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var s = z.CreateEntry(name, CompressionLevel.Fastest).Open();
                s.Write(content);
            }
        return ms.ToArray();
    }

    private static ScanResult Scan(string path) => new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(path);

    [SkippableFact]
    public void The_otrf_folder_with_its_zip_is_compromised_like_the_zip_alone()
    {
        var folder = Corpus.Path_("otrf-proxylogon");
        var zip = Corpus.Path_("otrf-proxylogon/proxylogon_ssrf_rce_poc.zip");
        var inFolder = Scan(folder);
        var alone = Scan(zip);
        Assert.Equal(Verdict.Compromised, alone.Story.Verdict);
        Assert.Equal(alone.Story.Verdict, inFolder.Story.Verdict);
        Assert.Equal(alone.Artifacts.Sum(a => a.Stats.Records), inFolder.Artifacts.Sum(a => a.Stats.Records));
        Assert.Contains(inFolder.Artifacts, a => a.File.RelativePath.StartsWith("proxylogon_ssrf_rce_poc.zip/proxylogon_ssrf_rce_poc_", StringComparison.Ordinal));
        var line = Assert.Single(inFolder.Containers);
        Assert.Equal(("proxylogon_ssrf_rce_poc.zip", "zip", 1, (string?)null), (line.Path, line.Kind, line.Files, line.Problem));
    }

    [Fact]
    public void Zips_in_zips_are_read_three_deep_and_deeper_ones_are_listed_as_not_opened()
    {
        using var dir = new Fixture.TempDir();
        var log = Encoding.UTF8.GetBytes(IisLog(50));
        var level4 = Zip(("W3SVC1/u_ex210305.log", log));
        var level3 = Zip(("W3SVC1/u_ex210304.log", log), ("deeper.zip", level4));
        var level2 = Zip(("W3SVC1/u_ex210303.log", log), ("c.zip", level3));
        var level1 = Zip(("W3SVC1/u_ex210302.log", log), ("b.zip", level2));
        var tooDeep = Zip(("W3SVC1/u_ex210306.log", log));
        var level5 = Zip(("W3SVC1/u_ex210305.log", log), ("e.zip", tooDeep));
        dir.Write("evidence/a.zip", level1);
        dir.Write("evidence/x.zip", Zip(("y.zip", Zip(("z.zip", Zip(("w.zip", level5))))))); // x/y/z/w read, w's e.zip is fifth
        var result = Scan(dir.Path);
        Assert.Contains(result.Artifacts, a => a.File.RelativePath == "evidence/a.zip/b.zip/c.zip/W3SVC1/u_ex210304.log" && a.Stats.Records == 50);
        Assert.Contains(result.Artifacts, a => a.File.RelativePath == "evidence/a.zip/b.zip/c.zip/deeper.zip/W3SVC1/u_ex210305.log" && a.Stats.Records == 50);
        Assert.Equal(4 * 50, result.Artifacts.Where(a => a.File.RelativePath.StartsWith("evidence/a.zip/", StringComparison.Ordinal)).Sum(a => a.Stats.Records));
        Assert.Contains(result.Artifacts, a => a.File.RelativePath == "evidence/x.zip/y.zip/z.zip/w.zip/W3SVC1/u_ex210305.log" && a.Stats.Records == 50);
        var notOpened = Assert.Single(result.Containers, c => c.Problem is not null);
        Assert.Equal("evidence/x.zip/y.zip/z.zip/w.zip/e.zip", notOpened.Path);
        Assert.Contains("not opened", notOpened.Problem);
        Assert.Contains(result.Containers, c => c.Path == "evidence/a.zip" && c.Files == 2 && c.Problem is null);
        Assert.Contains(result.Containers, c => c.Path == "evidence/a.zip/b.zip/c.zip/deeper.zip" && c.Files == 1);
        Assert.Equal(Verdict.Clean, result.Story.Verdict is Verdict.Inconclusive ? Verdict.Clean : result.Story.Verdict);
    }

    [Fact]
    public void A_zip_inside_a_zip_is_read_through_a_temporary_copy_that_is_gone_after_the_scan()
    {
        using var dir = new Fixture.TempDir();
        var log = Encoding.UTF8.GetBytes(IisLog(200));
        dir.Write("evidence/case.zip", Zip(("EXCH01.zip", Zip(("inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", log)))));
        var result = Scan(Path.Combine(dir.Path, "evidence"));
        Assert.Contains(result.Artifacts, a => a.File.RelativePath == "case.zip/EXCH01.zip/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log" && a.Stats.Records == 200);
        Assert.All(result.Containers, c => Assert.Null(c.Problem));
        Assert.Equal(["case.zip"], Directory.GetFiles(Path.Combine(dir.Path, "evidence")).Select(Path.GetFileName));

        // The copy lives in the temp folder, outside the evidence, while the source is open, and is gone after.
        string[] copies;
        using (var source = EvidenceSource.Open(Path.Combine(dir.Path, "evidence")))
        {
            Assert.Contains(source.EnumerateFiles(), f => f.RelativePath.EndsWith("u_ex210302.log", StringComparison.Ordinal));
            copies = source.TemporaryFiles.ToArray();
            var copy = Assert.Single(copies);
            Assert.True(File.Exists(copy));
            Assert.StartsWith(Path.GetFullPath(Path.GetTempPath()), copy, StringComparison.Ordinal);
            Assert.DoesNotContain(Path.Combine(dir.Path, "evidence"), copy, StringComparison.Ordinal);
        }
        Assert.All(copies, c => Assert.False(File.Exists(c)));
    }

    [Fact]
    public void A_collection_too_deep_to_open_is_listed_not_taken_for_staging()
    {
        using var dir = new Fixture.TempDir();
        var collection = Zip(("C/Windows/Temp/lsass.dmp", [.. "MDMP"u8, .. new byte[100]]),
            ("C/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", Encoding.UTF8.GetBytes(IisLog(5))));
        dir.Write("case.zip", Zip(("a.zip", Zip(("b.zip", Zip(("c.zip", Zip(("EXCH01.zip", collection)))))))));
        var result = Scan(dir.Path);
        var deep = Assert.Single(result.Containers, c => c.Problem is not null);
        Assert.Equal("case.zip/a.zip/b.zip/c.zip/EXCH01.zip", deep.Path);
        Assert.Single(result.Artifacts);
        Assert.DoesNotContain(result.Findings, f => f.Rule.Id.StartsWith("file-archive", StringComparison.Ordinal));
    }

    [Fact]
    public void An_attackers_archive_too_deep_to_open_is_not_listed_as_an_unread_collection()
    {
        using var dir = new Fixture.TempDir();
        var it = Zip(("lsass.dmp", [.. "MDMP"u8, .. new byte[100]]));
        dir.Write("case.zip", Zip(("a.zip", Zip(("b.zip", Zip(("c.zip", Zip(("W3SVC1/u_ex210302.log", Encoding.UTF8.GetBytes(IisLog(2))), ("ProgramData/it.zip", it)))))))));
        var result = Scan(dir.Path);
        Assert.All(result.Containers, c => Assert.Null(c.Problem));
        var archive = Assert.Single(result.Artifacts, a => a.File.RelativePath == "case.zip/a.zip/b.zip/c.zip/ProgramData/it.zip");
        Assert.Equal(ArtifactKind.Archive, archive.File.Kind);
        Assert.Contains(result.Findings, f => f.Rule.Id == "file-archive-staging");
    }

    [Fact]
    public void A_7z_or_rar_is_listed_as_unread_with_the_reason()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("EXCH01.7z", [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4, .. new byte[64]]);
        dir.Write("EXCH02.rar", [.. "Rar!\x1A\x07\x01\0"u8, .. new byte[64]]);
        dir.Write("W3SVC1/u_ex210302.log", IisLog(3));
        using var source = EvidenceSource.Open(dir.Path);
        Assert.Equal(3, source.EnumerateFiles().Count());
        Assert.Collection(source.Containers,
            c => Assert.Equal(("EXCH01.7z", "7z", true), (c.Path, c.Kind, c.Problem!.Contains("not opened"))),
            c => Assert.Equal(("EXCH02.rar", "rar", true), (c.Path, c.Kind, c.Problem!.Contains("not opened"))));
    }

    [Fact]
    public void An_attackers_archive_is_not_a_container_and_stays_a_file_for_the_staging_rules()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("EXCH01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", IisLog(3));
        dir.Write("EXCH01/C/ProgramData/it.zip", Zip(("lsass.dmp", [.. "MDMP"u8, .. new byte[300]]), ("pst/admin.pst", [.. "!BDN"u8, .. new byte[300]])));
        var result = Scan(dir.Path);
        Assert.Empty(result.Containers);
        var it = Assert.Single(result.Artifacts, a => a.File.RelativePath.EndsWith("it.zip", StringComparison.Ordinal));
        Assert.Equal(ArtifactKind.Archive, it.File.Kind);
        Assert.Contains(result.Findings, f => f.Rule.Id == "file-archive-staging" && f.Artifact!.EndsWith("it.zip", StringComparison.Ordinal));
    }

    [Fact]
    public void An_entry_name_climbing_out_of_its_zip_stays_inside_it_and_is_reported()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("EXCH01.zip", Zip(("../../../W3SVC1/u_ex210302.log", Encoding.UTF8.GetBytes(IisLog(4))), ("/abs/W3SVC1/u_ex210303.log", Encoding.UTF8.GetBytes(IisLog(2)))));
        var result = Scan(dir.Path);
        Assert.Contains(result.Artifacts, a => a.File.RelativePath == "EXCH01.zip/W3SVC1/u_ex210302.log" && a.Stats.Records == 4);
        Assert.Contains(result.Artifacts, a => a.File.RelativePath == "EXCH01.zip/abs/W3SVC1/u_ex210303.log" && a.Stats.Records == 2);
        Assert.Equal(2, result.ListingErrors.Count(e => e.Contains("outside its container", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_entry_is_never_read_past_the_size_its_zip_declares()
    {
        var bytes = Encoding.UTF8.GetBytes(IisLog(100));
        var zip = Zip(("W3SVC1/u_ex210302.log", bytes));
        using var dir = new Fixture.TempDir();
        var path = dir.Write("c.zip", zip);
        using var source = EvidenceSource.Open(path);
        var file = Assert.Single(source.EnumerateFiles());
        using var s = file.Open();
        var copy = new MemoryStream();
        s.CopyTo(copy);
        Assert.Equal(bytes.Length, copy.Length);
        Assert.Equal(bytes.Length, file.Length);
    }

    [Fact]
    public void A_broken_zip_in_a_folder_is_listed_with_its_problem_and_the_rest_is_read()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("EXCH01.zip", "PK\x03\x04 and then nothing a zip needs, padded to be long enough to look at"u8.ToArray());
        dir.Write("W3SVC1/u_ex210302.log", IisLog(3));
        var result = Scan(dir.Path);
        var line = Assert.Single(result.Containers);
        Assert.Contains("cannot be opened", line.Problem);
        Assert.Equal(3, result.Artifacts.Sum(a => a.Stats.Records));
    }
}
