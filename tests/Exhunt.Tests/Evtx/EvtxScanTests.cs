using System.Collections.Concurrent;
using System.IO.Compression;
using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Tests.Support;
using static Exhunt.Tests.Evtx.EvtxSamples;

namespace Exhunt.Tests.Evtx;

/// <summary>The scanner hands .evtx events to event rules, from folders and from (non-seekable) zip entries.</summary>
public sealed class EvtxScanTests
{
    private sealed class Capture : IEventRule
    {
        public readonly ConcurrentBag<(string Artifact, long Record, int EventId, string? CommandLine)> Seen = new();
        public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context) =>
            Seen.Add((origin.Artifact, origin.Record, evt.EventId, evt.Get("CommandLine")));
    }

    private static (Capture Rule, ScanResult Result) Scan(string path)
    {
        var rule = new Capture();
        var rules = new RuleSet();
        rules.EventRules.Add(rule);
        return (rule, new Scanner(new ScanOptions { Rules = rules }).Scan(path));
    }

    private static byte[] Sample() => File((100, EventData(("CommandLine", "powershell -enc AAAA"))), (101, EventData(("CommandLine", "whoami"))));

    [Fact]
    public void Events_from_an_evtx_file_in_a_folder_reach_event_rules()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("C/Windows/System32/winevt/Logs/Security.evtx", Sample());
        var (rule, result) = Scan(dir.Path);
        Assert.Equal([(100L, "powershell -enc AAAA"), (101L, "whoami")], rule.Seen.OrderBy(s => s.Record).Select(s => (s.Record, s.CommandLine)));
        var artifact = Assert.Single(result.Artifacts, a => a.File.Kind == ArtifactKind.Evtx);
        Assert.Equal(2, artifact.Stats.Records);
        Assert.Empty(artifact.Stats.Errors);
        Assert.Equal(Time, artifact.Stats.First);
    }

    [Fact]
    public void Events_from_an_evtx_entry_in_a_zip_are_streamed()
    {
        using var dir = new Fixture.TempDir();
        var zipPath = Path.Combine(dir.Path, "collection.zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        using (var entry = zip.CreateEntry("Logs/Security.evtx", CompressionLevel.Optimal).Open())
            entry.Write(Sample());
        var (rule, result) = Scan(zipPath);
        Assert.Equal(2, rule.Seen.Count);
        Assert.All(rule.Seen, s => Assert.EndsWith("Security.evtx", s.Artifact));
        Assert.Equal(2, Assert.Single(result.Artifacts, a => a.File.Kind == ArtifactKind.Evtx).Stats.Records);
    }

    [Fact]
    public void A_damaged_evtx_file_is_reported_in_its_stats_and_the_scan_goes_on()
    {
        using var dir = new Fixture.TempDir();
        var bad = Sample();
        bad[4096] = 0; // chunk signature gone
        dir.Write("Security.evtx", bad);
        dir.Write("System.evtx", Sample());
        var (rule, result) = Scan(dir.Path);
        Assert.Equal(2, rule.Seen.Count);
        var damaged = Assert.Single(result.Artifacts, a => a.File.RelativePath.EndsWith("Security.evtx"));
        Assert.Contains("chunk 0: no 'ElfChnk' signature; chunk skipped", damaged.Stats.Errors);
    }
}
