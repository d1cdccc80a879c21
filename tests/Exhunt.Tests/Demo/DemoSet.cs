using Exhunt.Demo;
using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Demo;

/// <summary>A small demo evidence set written once per test class, and helpers to read its logs.</summary>
public sealed class DemoSet : IDisposable
{
    public static readonly DemoOptions Small = new() { Days = 2, RequestsPerDay = 900, Seed = 4242, Parallelism = 2 };

    private readonly Fixture.TempDir _dir = new();

    public DemoSet()
    {
        Manifest = DemoEvidence.Write(_dir.Path, Small);
    }

    public string Folder => _dir.Path;
    public DemoManifest Manifest { get; }

    /// <summary>Every text log of the set, classified as the scanner would, with the records the predicate keeps.</summary>
    public List<(EvidenceFile File, ReaderStats Stats, List<LogRecordCopy> Kept)> ReadLogs(Func<LogRecord, bool>? keep = null)
    {
        var list = new List<(EvidenceFile, ReaderStats, List<LogRecordCopy>)>();
        using var source = EvidenceSource.Open(Folder);
        foreach (var file in source.EnumerateFiles())
        {
            byte[] head;
            using (var s = file.Open())
            {
                head = new byte[ArtifactClassifier.SniffBytes];
                head = head[..s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
            }
            ArtifactClassifier.Classify(file, head);
            if (!file.Kind.IsLog()) continue;
            var stats = new ReaderStats();
            var kept = new List<LogRecordCopy>();
            using (var s = file.Open())
                new TextLogReader(file, stats).Read(s, r => { if (keep?.Invoke(r) == true) kept.Add(LogRecordCopy.Of(r)); });
            list.Add((file, stats, kept));
        }
        return list;
    }

    public void Dispose() => _dir.Dispose();
}
