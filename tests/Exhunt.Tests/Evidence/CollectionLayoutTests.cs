using System.IO.Compression;
using Exhunt.Demo;
using Exhunt.Evidence;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Evidence;

/// <summary>
/// The same evidence, collected in every shape seen in the field, must scan alike: same artifact kinds and counts,
/// same records, nothing skipped, every file accounted for.
/// </summary>
public sealed class CollectionLayoutTests
{
    private static readonly DemoOptions Options = new() { Days = 1, RequestsPerDay = 500, Seed = 77, Parallelism = 2 };

    private static readonly Lazy<Summary> Kape = new(() =>
    {
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, Options);
        return Summarise(Scan(dir.Path));
    });

    public static TheoryData<string> Layouts() => new(DemoLayout.All.Where(l => l != DemoLayout.Kape).Select(l => l.Name));

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_layout_scans_like_kape(string layoutName)
    {
        var layout = DemoLayout.All.Single(l => l.Name == layoutName);
        using var dir = new Fixture.TempDir();
        var manifest = DemoEvidence.Write(dir.Path, new DemoOptions { Days = Options.Days, RequestsPerDay = Options.RequestsPerDay, Seed = Options.Seed, Layout = layout });
        Assert.All(manifest.RelativePaths, p => Assert.True(File.Exists(Path.Combine(dir.Path, p)), p));
        var result = Scan(dir.Path);
        // A flat copy drops the folders above the logs and web roots (C:\Windows\Temp becomes Temp), which a detector
        // may rightly use; everything else must not notice the layout at all, findings included.
        if (layout == DemoLayout.Flat) Assert.Equal(Kape.Value with { Findings = "" }, Summarise(result) with { Findings = "" });
        else Assert.Equal(Kape.Value, Summarise(result));
        if (layout == DemoLayout.Velociraptor) Assert.All(result.Artifacts, a => Assert.StartsWith("uploads/auto/C%3A/", a.File.RelativePath));
        if (layout == DemoLayout.VelociraptorNtfs) Assert.All(result.Artifacts, a => Assert.StartsWith("uploads/ntfs/%5C%5C.%5CC%3A/", a.File.RelativePath));
        if (layout == DemoLayout.OtherDrive) Assert.Contains(result.Artifacts, a => a.File.RelativePath.StartsWith("D/Exchange/Logging/HttpProxy/", StringComparison.Ordinal));
        if (layout == DemoLayout.Flat) Assert.Contains(result.Artifacts, a => a.File.RelativePath.StartsWith("HttpProxy/Ecp/", StringComparison.Ordinal));
        if (layout == DemoLayout.MixedCase) Assert.Contains(result.Artifacts, a => a.File.RelativePath.Contains("/logging/HTTPPROXY/ecp/", StringComparison.Ordinal));
        // The shell is still found from the URL the IIS log names, whatever the layout.
        var index = new EvidenceIndex(result.Artifacts.Select(a => a.File));
        var shell = index.FindUrlPath("/owa/auth/" + DemoIntrusion.ShellName);
        Assert.NotNull(shell);
        Assert.Equal(ArtifactKind.WebPage, shell.Kind);
        Assert.Null(index.FindUrlPath("/owa/auth/NotThere.aspx"));
    }

    [Fact]
    public void A_zip_of_the_collection_scans_like_the_folder()
    {
        using var dir = new Fixture.TempDir();
        using var zipDir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, Options);
        var zip = Path.Combine(zipDir.Path, "EXCH01-kape.zip");
        ZipFile.CreateFromDirectory(dir.Path, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
        var result = Scan(zip);
        Assert.Equal(Kape.Value, Summarise(result));
        Assert.All(result.Artifacts, a => Assert.DoesNotContain('\\', a.File.RelativePath));
    }

    [Fact]
    public void A_velociraptor_zip_with_its_metadata_counts_the_metadata_as_unrecognised()
    {
        using var dir = new Fixture.TempDir();
        using var zipDir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, new DemoOptions { Days = Options.Days, RequestsPerDay = Options.RequestsPerDay, Seed = Options.Seed, Layout = DemoLayout.Velociraptor });
        dir.Write("client_info.json", "{\"ClientId\":\"C.1a2b3c4d5e6f7a8b\",\"Hostname\":\"EXCH01\",\"OS\":\"windows\"}\n");
        dir.Write("collection_context.json", "{\"session_id\":\"F.C0FFEE12\",\"total_uploaded_files\":170}\n");
        dir.Write("uploads.json", "{\"Timestamp\":\"2021-03-04T10:00:00Z\",\"vfs_path\":\"uploads/auto/C%3A/Windows/Temp/lsass.dmp\"}\n");
        var zip = Path.Combine(zipDir.Path, "Collection-EXCH01.zip");
        ZipFile.CreateFromDirectory(dir.Path, zip);
        var result = Scan(zip);
        var summary = Summarise(result);
        Assert.Equal(Kape.Value.Unrecognised + 3, summary.Unrecognised);
        Assert.Equal(Kape.Value with { Unrecognised = summary.Unrecognised }, summary);
    }

    [Fact]
    public void Every_file_is_counted_as_a_recognised_kind_or_as_unrecognised()
    {
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, Options);
        dir.Write("notes/README.txt", "collected by the on-call admin\n");
        dir.Write("notes/empty.bin", []);
        dir.Write("C/Windows/Temp/random.bin", [0x00, 0x01, 0x02, 0xFF]);
        var result = Scan(dir.Path);
        var onDisk = Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories).Count();
        Assert.Equal(onDisk, result.Artifacts.Count);
        Assert.Equal(onDisk, result.Artifacts.GroupBy(a => a.File.Kind).Sum(g => g.Count()));
        Assert.Equal(Kape.Value.Unrecognised + 3, result.Artifacts.Count(a => a.File.Kind == ArtifactKind.Unrecognised));
    }

    [Fact]
    public void A_file_named_zip_that_is_not_a_zip_gets_a_clear_error_and_the_scan_goes_on()
    {
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, Options);
        dir.Write("C/ProgramData/backup.zip", "this is not a zip archive, just text with a .zip name\n");
        var result = Scan(dir.Path);
        var bad = Assert.Single(result.Artifacts, a => a.File.RelativePath.EndsWith("backup.zip", StringComparison.Ordinal));
        Assert.Contains(bad.Stats.Errors, e => e.Contains("not a zip archive", StringComparison.Ordinal));
        Assert.Equal(Kape.Value.Records, Summarise(result).Records);
    }

    [Fact]
    public void Path_that_is_a_zip_in_name_only_is_unreadable_evidence()
    {
        using var dir = new Fixture.TempDir();
        var fake = dir.Write("evidence.zip", "PK but not really: no central directory here");
        var e = Assert.Throws<EvidenceUnreadableException>(() => Scan(fake));
        Assert.Contains("not a folder or a readable zip archive", e.Message);
        Assert.Throws<EvidenceUnreadableException>(() => Scan(Path.Combine(dir.Path, "missing.zip")));
    }

    [Fact]
    public void An_empty_folder_scans_to_nothing()
    {
        using var dir = new Fixture.TempDir();
        var result = Scan(dir.Path);
        Assert.Empty(result.Artifacts);
        Assert.Empty(result.Findings);
        Assert.Empty(result.Coverage);
        Assert.Equal(0, result.Bytes);
    }

    [Fact]
    public void A_zip_entry_that_cannot_be_read_is_reported_and_the_rest_is_read()
    {
        using var dir = new Fixture.TempDir();
        var zip = Path.Combine(dir.Path, "broken.zip");
        var log = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-02 00:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n"
            + string.Concat(Enumerable.Range(0, 400).Select(i => $"2021-03-02 00:{i / 60 % 60:00}:{i % 60:00} 10.0.0.10 GET /owa/ &CorrelationID=<empty>;&cafeReqId={Guid.Empty}; 443 CONTOSO\\user{i} 10.20.1.{i % 250} Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 {i}\r\n"));
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var name in new[] { "W3SVC1/u_ex210302.log", "W3SVC1/u_ex210303.log" })
            {
                using var s = z.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(System.Text.Encoding.UTF8.GetBytes(log));
            }
        }
        // Corrupt the second entry's compressed data (its name stays readable in the central directory).
        var bytes = File.ReadAllBytes(zip);
        var second = IndexOf(bytes, "W3SVC1/u_ex210303.log"u8.ToArray());
        for (var i = second + 40; i < second + 240; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(zip, bytes);

        var result = Scan(zip);
        Assert.Equal(2, result.Artifacts.Count);
        var good = result.Artifacts.Single(a => a.File.RelativePath.EndsWith("0302.log", StringComparison.Ordinal));
        var broken = result.Artifacts.Single(a => a.File.RelativePath.EndsWith("0303.log", StringComparison.Ordinal));
        Assert.Equal(400, good.Stats.Records);
        Assert.Empty(good.Stats.Errors);
        Assert.Contains(broken.Stats.Errors, e => e.Contains("read failed", StringComparison.Ordinal) || e.Contains("skipped", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_file_without_read_permission_is_reported_and_the_rest_is_read()
    {
        Skip.If(OperatingSystem.IsWindows() || Environment.UserName == "root", "root (or Windows ACLs) can read a chmod 000 file");
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, Options);
        var locked = dir.Write("C/inetpub/logs/LogFiles/W3SVC1/u_ex210309.log", "#Software: Microsoft Internet Information Services 10.0\r\n");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        var result = Scan(dir.Path);
        var a = Assert.Single(result.Artifacts, x => x.File.RelativePath.EndsWith("u_ex210309.log", StringComparison.Ordinal));
        Assert.Contains(a.Stats.Errors, e => e.Contains("read failed", StringComparison.Ordinal));
        Assert.Equal(Kape.Value.Records, Summarise(result).Records);
    }

    [SkippableFact]
    public void A_named_pipe_is_never_opened()
    {
        Skip.If(OperatingSystem.IsWindows(), "no mkfifo on Windows");
        using var dir = new Fixture.TempDir();
        dir.Write("W3SVC1/u_ex210302.log", "#Software: Microsoft Internet Information Services 10.0\r\n");
        var fifo = Path.Combine(dir.Path, "W3SVC1", "u_ex210303.log");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", fifo)) mk.WaitForExit();
        Skip.IfNot(File.Exists(fifo), "mkfifo unavailable");
        var scan = Task.Run(() => Scan(dir.Path));
        Assert.True(scan.Wait(TimeSpan.FromSeconds(20)), "the scan hung on a named pipe");
        Assert.Equal(2, scan.Result.Artifacts.Count);
    }

    [SkippableFact]
    public void Symbolic_links_are_not_followed_and_are_reported()
    {
        Skip.If(OperatingSystem.IsWindows(), "creating links needs privileges on Windows");
        using var dir = new Fixture.TempDir();
        using var outside = new Fixture.TempDir();
        var secret = outside.Write("secret.log", "#Software: Microsoft Internet Information Services 10.0\r\n");
        dir.Write("W3SVC1/u_ex210302.log", "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "W3SVC1", "u_ex210303.log"), secret);
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "loop"), dir.Path);
        var result = Scan(dir.Path);
        var only = Assert.Single(result.Artifacts);
        Assert.Equal("W3SVC1/u_ex210302.log", only.File.RelativePath);
        Assert.Contains(result.ListingErrors, e => e.Contains("u_ex210303.log", StringComparison.Ordinal) && e.Contains("link", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(result.ListingErrors, e => e.Contains("loop", StringComparison.Ordinal) && e.Contains("link", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_demo_zipped_into_a_folder_scans_like_the_folder()
    {
        using var dir = new Fixture.TempDir();
        using var cases = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, Options);
        Directory.CreateDirectory(Path.Combine(cases.Path, "collections"));
        ZipFile.CreateFromDirectory(dir.Path, Path.Combine(cases.Path, "collections", "EXCH01.zip"), CompressionLevel.Fastest, includeBaseDirectory: false);
        var result = Scan(cases.Path);
        Assert.Equal(Kape.Value, Summarise(result));
        Assert.All(result.Artifacts, a => Assert.StartsWith("collections/EXCH01.zip/", a.File.RelativePath));
        Assert.DoesNotContain(result.Findings, f => f.Artifact == "collections/EXCH01.zip");
        var line = Assert.Single(result.Containers);
        Assert.Equal(("collections/EXCH01.zip", "zip", result.Artifacts.Count, (string?)null, "EXCH01"), (line.Path, line.Kind, line.Files, line.Problem, line.Host));
        Assert.All(result.Artifacts, a => Assert.Equal("EXCH01", a.File.Host));
    }

    [Theory]
    [MemberData(nameof(AllLayouts))]
    public void Every_layout_in_a_per_host_folder_names_the_host(string layoutName)
    {
        var layout = DemoLayout.All.Single(l => l.Name == layoutName);
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(Path.Combine(dir.Path, "EXCH01"), new DemoOptions { Days = 1, RequestsPerDay = 50, Seed = 5, Layout = layout });
        DemoEvidence.Write(Path.Combine(dir.Path, "tout", "EXCH02"), new DemoOptions { Days = 1, RequestsPerDay = 50, Seed = 6, Layout = layout });
        using var source = EvidenceSource.Open(dir.Path);
        var files = source.EnumerateFiles().ToList();
        Assert.All(files, f => Assert.Equal(f.RelativePath.StartsWith("EXCH01/", StringComparison.Ordinal) ? "EXCH01" : "EXCH02", f.Host));
    }

    [Theory]
    [MemberData(nameof(AllLayouts))]
    public void Every_layout_zipped_per_server_names_the_host_from_the_zip(string layoutName)
    {
        var layout = DemoLayout.All.Single(l => l.Name == layoutName);
        using var dir = new Fixture.TempDir();
        using var cases = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, new DemoOptions { Days = 1, RequestsPerDay = 50, Seed = 5, Layout = layout });
        foreach (var name in new[] { "EXCH01.zip", "EXCH02_kape.zip", "Collection-EXCH03-2021-03-05T10_00_00Z.zip", "2021-03-05T101010_EXCH04.zip" })
            ZipFile.CreateFromDirectory(dir.Path, Path.Combine(cases.Path, name), CompressionLevel.Fastest, includeBaseDirectory: false);
        using var source = EvidenceSource.Open(cases.Path);
        var files = source.EnumerateFiles().ToList();
        Assert.All(files, f => Assert.Equal("EXCH0" + f.RelativePath[f.RelativePath.IndexOf("EXCH0", StringComparison.Ordinal) + 5], f.Host));
        Assert.Equal(["EXCH01", "EXCH02", "EXCH03", "EXCH04"], source.Containers.Select(c => c.Host).Order().ToArray());
    }

    [Fact]
    public void A_velociraptor_collection_names_its_host_in_client_info_whatever_the_zip_is_called()
    {
        using var dir = new Fixture.TempDir();
        using var cases = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, new DemoOptions { Days = 1, RequestsPerDay = 50, Seed = 5, Layout = DemoLayout.Velociraptor });
        dir.Write("client_info.json", "{\"ClientId\":\"C.1a2b3c4d5e6f7a8b\",\"Hostname\":\"MAIL-02\",\"Fqdn\":\"mail-02.contoso.local\"}\n");
        ZipFile.CreateFromDirectory(dir.Path, Path.Combine(cases.Path, "collection.zip"), CompressionLevel.Fastest, includeBaseDirectory: false);
        using var source = EvidenceSource.Open(cases.Path);
        Assert.All(source.EnumerateFiles(), f => Assert.Equal("MAIL-02", f.Host));
    }

    [Fact]
    public void A_layout_that_names_no_host_leaves_it_unknown()
    {
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(Path.Combine(dir.Path, "evidence"), new DemoOptions { Days = 1, RequestsPerDay = 50, Seed = 5 });
        DemoEvidence.Write(Path.Combine(dir.Path, "export"), new DemoOptions { Days = 1, RequestsPerDay = 50, Seed = 5, Layout = DemoLayout.Flat });
        using var zips = new Fixture.TempDir();
        ZipFile.CreateFromDirectory(Path.Combine(dir.Path, "evidence"), Path.Combine(zips.Path, "proxylogon_ssrf_rce_poc.zip"));
        using (var source = EvidenceSource.Open(Path.Combine(dir.Path, "evidence"))) Assert.All(source.EnumerateFiles(), f => Assert.Null(f.Host));
        using (var source = EvidenceSource.Open(zips.Path)) Assert.All(source.EnumerateFiles(), f => Assert.Null(f.Host));
        using (var source = EvidenceSource.Open(dir.Path)) Assert.All(source.EnumerateFiles(), f => Assert.Null(f.Host)); // "evidence/C/..." and "export/FrontEnd/..."
    }

    [Theory]
    [InlineData("EXCH01.zip", "EXCH01")]
    [InlineData("EXCH01_kape.zip", "EXCH01")]
    [InlineData("exch01.contoso.local-triage.zip", "exch01.contoso.local")]
    [InlineData("Collection-EXCH01-2021-03-05T10_00_00Z.zip", "EXCH01")]
    [InlineData("Collection-mail.contoso.local-20210305T100000Z.zip", "mail.contoso.local")]
    [InlineData("2021-03-05T101010_EXCH01.zip", "EXCH01")]
    [InlineData("evidence.zip", null)]
    [InlineData("kape.zip", null)]
    [InlineData("proxylogon_ssrf_rce_poc.zip", null)]
    [InlineData("2021-03-05.zip", null)]
    [InlineData("it.zip", null)]
    public void Host_from_an_archive_name(string name, string? host) => Assert.Equal(host, CollectionHosts.FromArchiveName(name));

    public static TheoryData<string> AllLayouts() => new(DemoLayout.All.Select(l => l.Name));

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    private static ScanResult Scan(string path) => new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(path);

    /// <summary>What must not depend on the layout: files and records per kind, protocols, nothing skipped.</summary>
    private sealed record Summary(string Kinds, string Protocols, long Records, long Skipped, int Errors, int Unrecognised, string Findings, string Verdict);

    private static Summary Summarise(ScanResult result)
    {
        var kinds = string.Join("; ", result.Artifacts.Where(a => a.File.Kind != ArtifactKind.Unrecognised).GroupBy(a => a.File.Kind).OrderBy(g => g.Key)
            .Select(g => $"{g.Key.ToWire()}: {g.Count()} files, {g.Sum(a => a.Stats.Records)} records"));
        var protocols = string.Join(",", result.Artifacts.Where(a => a.File.Kind == ArtifactKind.HttpProxy)
            .GroupBy(a => a.File.Protocol).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));
        return new Summary(kinds, protocols, result.Artifacts.Sum(a => a.Stats.Records), result.Artifacts.Sum(a => a.Stats.Skipped),
            result.Artifacts.Sum(a => a.Stats.Errors.Count), result.Artifacts.Count(a => a.File.Kind == ArtifactKind.Unrecognised),
            string.Join(",", result.Findings.GroupBy(f => f.Rule.Id).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}")),
            result.Story.Verdict.ToString());
    }
}
