using System.Diagnostics;
using Exhunt.Detection;
using Exhunt.Detection.Content;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Readers.EventJson;
using Exhunt.Readers.Evtx;
using Exhunt.Story;

namespace Exhunt.Scanning;

public sealed record ScanProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal);

public sealed class ScanOptions
{
    public RuleSet Rules { get; init; } = RuleSet.BuiltIn();
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
    public IProgress<ScanProgress>? Progress { get; init; }
    /// <summary>Skip text-log lines that hold none of the log rules' literals (<see cref="ILogRule.LineNeedles"/>).
    /// Off only to prove it changes nothing and to measure what it saves.</summary>
    public bool LinePrefilter { get; init; } = true;
    /// <summary>Search the prefilter's literals in raw byte blocks and count unwanted lines from their bytes
    /// (<see cref="Exhunt.Matching.LineLiterals"/>); off: the char prefilter. Off only to prove it changes nothing.</summary>
    public bool BlockMatcher { get; init; } = true;
    /// <summary>Text logs from this size on are searched ahead on a second core while read (0: every file; tests).</summary>
    public long SearchAheadFrom { get; init; } = LogRuleRunner.DefaultSearchAheadFrom;
}

/// <summary>Evidence → readers → detectors → correlation → story: one pass over every file.</summary>
public sealed class Scanner(ScanOptions options)
{
    public ScanResult Scan(string path)
    {
        var clock = Stopwatch.StartNew();
        var scanStart = DateTime.UtcNow;
        using var source = EvidenceSource.Open(path);
        var files = source.EnumerateFiles().ToList();
        var results = new ArtifactResult[files.Count];
        var context = new ScanContext();
        long bytesTotal = files.Sum(f => f.Length), bytesDone = 0;
        var filesDone = 0;

        // Largest first so one big file does not start last and run alone.
        var order = Enumerable.Range(0, files.Count).OrderByDescending(i => files[i].Length).ToArray();
        // One file at a time to whichever worker is free: the default partitioning of an array hands out index
        // ranges, which put all the largest files (first in the order) on one worker.
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(order, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism) }, i =>
        {
            results[i] = ScanFile(files[i], context);
            Interlocked.Add(ref bytesDone, files[i].Length);
            var done = Interlocked.Increment(ref filesDone);
            options.Progress?.Report(new ScanProgress(done, files.Count, Interlocked.Read(ref bytesDone), bytesTotal));
        });

        var index = new EvidenceIndex(files);
        var errors = source.ListingErrors.ToList();
        var installRoots = InstallRoots.Infer(files);
        HostResolver.ResolveArtifacts(results, installRoots);
        var artifactHosts = new Dictionary<string, string>(StringComparer.Ordinal);
        var artifactHashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            artifactHosts.TryAdd(r.File.RelativePath, r.Host);
            if (r.Sha256 is not null) artifactHashes.TryAdd(r.File.RelativePath, r.Sha256);
        }
        foreach (var f in context.Findings.Snapshot())
            f.Host = HostName.Normalize(f.Host) ?? artifactHosts.GetValueOrDefault(f.Artifact) ?? HostName.Unknown;
        foreach (var rule in options.Rules.CorrelationRules)
        {
            try { rule.Run(new CorrelationInput(index, context.Findings.Snapshot()) { ArtifactHosts = artifactHosts, ArtifactHashes = artifactHashes }, context); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add($"correlation {rule.GetType().Name} failed ({e.GetType().Name}: {e.Message}); findings from the logs stand as they are");
            }
        }

        var all = context.Findings.Snapshot();
        var hostsBeforeTimes = HostResolver.Cover(results, all, installRoots);
        HostResolver.ResolveFindings(all, results, hostsBeforeTimes, scanStart);
        var hosts = HostResolver.Cover(results, all, installRoots);
        var findings = FindingOrder.Sort(all);
        for (var i = 0; i < findings.Count; i++) findings[i].Id = "F" + (i + 1);
        var coverage = results.Where(r => r.File.Kind.IsLog())
            .GroupBy(r => r.File.Kind)
            .OrderBy(g => g.Key)
            .Select(g => new Coverage(g.Key, g.Min(r => r.Stats.First), g.Max(r => r.Stats.Last), g.Count(), g.Sum(r => r.Stats.Records)))
            .ToList();
        var facts = new ScanFacts(files.Count, results.Count(r => r.Stats.Errors.Count > 0), source.ListingErrors.Count,
            results.Where(r => r.File.Kind.IsLog()).Sum(r => r.Stats.Records));
        var story = StoryTeller.Tell(findings, hosts, facts);
        if (context.FileWrites.Dropped > 0)
            errors.Add($"{context.FileWrites.Dropped:N0} file-write claims beyond the first {context.FileWrites.Count:N0} were not checked against the evidence");
        return new ScanResult(path, results, findings, coverage, story, errors, bytesTotal, clock.Elapsed)
        {
            InstallRoots = installRoots,
            Hosts = hosts,
            Containers = source.Containers.ToList(),
            Suppressed = context.Findings.Suppressed(),
            Exposure = Exhunt.Exposure.ScanExposure.From(context.Exposure),
            Traffic = context.Traffic,
            Sigma = Exhunt.Detection.Sigma.SigmaScanAccount.For(options.Rules, context),
        };
    }

    private ArtifactResult ScanFile(EvidenceFile file, ScanContext context)
    {
        var result = new ArtifactResult(file);
        try
        {
            // One open for the head; non-log files go on reading the same stream (hash + content in one pass).
            using var stream = file.Open();
            var head = ReadHead(stream);
            ArtifactClassifier.Classify(file, head);
            // The log readers open their own; a text log on disk goes on with this stream, rewound (one open per file).
            var reuse = file.Kind.IsLog() && file.Kind is not (ArtifactKind.Evtx or ArtifactKind.EventJson) && stream.CanSeek;
            if (file.Kind.IsLog() && !reuse) stream.Dispose();
            if (file.RelativePath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) && file.Kind != ArtifactKind.Archive)
                result.Stats.Error("named .zip but not a zip archive (no PK signature); not opened");
            switch (file.Kind)
            {
                case ArtifactKind.Evtx:
                    ReadEvents(file, result, EvtxReader.Read, context);
                    break;
                case ArtifactKind.EventJson:
                    ReadEvents(file, result, JsonEventReader.Read, context);
                    break;
                case var k when k.IsLog():
                    if (reuse) stream.Seek(0, SeekOrigin.Begin);
                    ReadTextLog(file, reuse ? stream : file.Open(), result, context);
                    break;
                default:
                    using (var content = FileContentReader.Read(file, stream, head, options.Rules.FileRules))
                    {
                        result.Sha256 = content.Sha256;
                        foreach (var rule in options.Rules.FileRules)
                            if (rule.Handles(file.Kind)) rule.Inspect(file, content, context);
                    }
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
        {
            result.Stats.Error($"read failed: {e.Message}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A reader or rule bug on hostile input must cost this file, not the scan.
            result.Stats.Error($"internal error while reading this file ({e.GetType().Name}: {e.Message}); the rest of the scan went on");
        }
        return result;
    }

    private void ReadTextLog(EvidenceFile file, Stream opened, ArtifactResult result, ScanContext context)
    {
        // The reader's own first bytes are kept for the host sniff below (no second open and read of every log).
        using var stream = new HeadCaptureStream(opened, HostSniffBytes);
        LogRuleRunner.Run(options.Rules, file, stream, result.Stats, context, options.LinePrefilter, options.BlockMatcher, options.SearchAheadFrom);
        if (stream.HeadComplete && ExchangeSignals.IsExchangeLogKind(file.Kind))
            file.LogHeader = Exhunt.Exposure.LayoutBuildRule.ParseHeader(stream.Head.Span);
        // Sniffed even when the collection layout names a host: the log's own server field wins (HostResolver), as it
        // does for the log's findings. IIS logs are also sniffed for Exchange URLs.
        if (result.Stats.Records > 0)
            SniffHost(file, result, stream.HeadComplete ? stream.Head : null);
    }

    /// <summary>Bytes of a text log's head that tell its server host and whether its requests are for Exchange.</summary>
    private const int HostSniffBytes = 16 * 1024;

    /// <param name="head">The file's first <see cref="HostSniffBytes"/> bytes (fewer only when the file is shorter), as
    /// the reader read them; null: read them again (the reader stopped before).</param>
    private static void SniffHost(EvidenceFile file, ArtifactResult result, ReadOnlyMemory<byte>? head)
    {
        if (head is not { } bytes)
        {
            var buf = new byte[HostSniffBytes];
            int n;
            using (var s = file.Open()) n = s.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
            bytes = buf.AsMemory(0, n);
        }
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var iis = file.Kind == ArtifactKind.Iis;
        var array = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment) ? segment : new ArraySegment<byte>(bytes.ToArray());
        using var headStream = new MemoryStream(array.Array!, array.Offset, array.Count, writable: false);
        new TextLogReader(file, new ReaderStats()).Read(headStream, record =>
        {
            if (names.Count < HostTally.MaxHosts && HostName.Normalize(record.Str(Field.ServerHost)) is { } h)
                names[h] = names.GetValueOrDefault(h) + 1;
            if (iis && !result.ExchangeUrls && ExchangeSignals.IsExchangeUrl(record[Field.UrlStem])) result.ExchangeUrls = true;
        });
        result.LogHost = names.Count == 0 ? null : names.MaxBy(kv => kv.Value).Key;
    }

    private void ReadEvents(EvidenceFile file, ArtifactResult result, Action<Stream, ReaderStats, Action<WinEvent, long>> reader, ScanContext context)
    {
        var routes = options.Rules.EventRoutes;
        using var stream = file.Open();
        reader(stream, result.Stats, (evt, record) =>
        {
            var origin = new EventOrigin(file.RelativePath, record);
            foreach (var rule in routes.For(evt)) rule.Inspect(evt, origin, context);
            var seen = result.Hosts.For(evt.Computer);
            seen.See(evt.TimeCreated, ExchangeSignals.IsRelevantEvent(evt));
            if (!seen.Exchange && ExchangeSignals.IsExchangeEvent(evt)) seen.Exchange = true;
        });
    }

    private static byte[] ReadHead(Stream s)
    {
        var buf = new byte[ArtifactClassifier.SniffBytes];
        var n = s.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
        return buf[..n];
    }
}

public sealed record ScanResult(
    string Root,
    IReadOnlyList<ArtifactResult> Artifacts,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<Coverage> Coverage,
    StoryResult Story,
    IReadOnlyList<string> ListingErrors,
    long Bytes,
    TimeSpan Elapsed)
{
    /// <summary>Where Exchange was installed, as evidence-relative folders inferred from the layout.</summary>
    public IReadOnlyList<string> InstallRoots { get; init; } = [];

    /// <summary>Per host: whether it shows Exchange, what was read, the window (Exchange hosts first).</summary>
    public IReadOnlyList<HostCoverage> Hosts { get; init; } = [];

    /// <summary>Every archive met as a container (the scanned zip, zips in the folder, zips in zips), read or not and why.</summary>
    public IReadOnlyList<ContainerInfo> Containers { get; init; } = [];

    /// <summary>Findings counted beyond the per-rule cap and not kept (see <see cref="FindingSink"/>).</summary>
    public IReadOnlyList<SuppressedFindings> Suppressed { get; init; } = [];

    /// <summary>Which CVEs each host's build is still open to, and the worst host (null: not computed).</summary>
    public Exhunt.Exposure.ScanExposure? Exposure { get; init; }

    /// <summary>Hourly web traffic per host, counted while reading (see <see cref="Story.Surge"/>).</summary>
    public Traffic? Traffic { get; init; }

    /// <summary>The Sigma rules the scan ran, accounted for (null: no --sigma).</summary>
    public Exhunt.Detection.Sigma.SigmaScanAccount? Sigma { get; init; }
}
