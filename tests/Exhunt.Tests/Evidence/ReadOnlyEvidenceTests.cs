using Exhunt.Demo;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Evidence;

/// <summary>Evidence is read-only: a scan leaves every file, folder, size and timestamp under PATH as it was.</summary>
public class ReadOnlyEvidenceTests
{
    [Fact]
    public void A_scan_writes_nothing_under_the_scanned_path()
    {
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, new DemoOptions { Days = 1, RequestsPerDay = 500 });
        var before = Snapshot(dir.Path);

        var result = new Scanner(new ScanOptions()).Scan(dir.Path);

        Assert.NotEmpty(result.Findings);
        Assert.Equal(before, Snapshot(dir.Path));
    }

    private static List<string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => new FileInfo(p))
            .Select(i => $"{Path.GetRelativePath(root, i.FullName)} {(i.Attributes.HasFlag(FileAttributes.Directory) ? -1 : i.Length)} {i.LastWriteTimeUtc:O} {i.Attributes}")
            .Order(StringComparer.Ordinal)
            .ToList();
}
