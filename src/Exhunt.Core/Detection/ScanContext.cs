using System.Collections.Concurrent;
using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Detection;

/// <summary>
/// What detectors share during one scan: the findings sink and the observations that later correlation
/// (logs → files, clients → incidents) needs. Thread-safe: files are read in parallel.
/// </summary>
public sealed class ScanContext
{
    public FindingSink Findings { get; } = new();

    /// <summary>Paths the logs say an attacker wrote (OAB download path, vdir reset path, export target ...).</summary>
    public BoundedQueue<FileWriteClaim> FileWrites { get; } = new(100_000);

    /// <summary>Requests for non-stock pages (and POSTs to stock pages) under web-shell folders (/owa/auth/, /ecp/auth/, /aspnet_client/).</summary>
    public ConcurrentQueue<PageRequest> PageRequests { get; } = new();

    /// <summary>Which Exchange build each host ran, as the evidence shows it (Exposure/*).</summary>
    public global::Exhunt.Exposure.ExposureCollector Exposure { get; } = new();

    /// <summary>Every server page the web logs asked for, per host and URL, aggregated and bounded (who used a shell).</summary>
    public Content.PageUseTable PageUse { get; } = new();

    /// <summary>Hourly web traffic per host, counted while the web logs are read (the surge baseline).</summary>
    public Story.Traffic Traffic { get; } = new();

    public void Add(Finding finding) => Findings.Add(finding);
}

/// <summary>A thread-safe queue that keeps at most <c>capacity</c> items and counts the ones it dropped (hostile logs can repeat a line millions of times).</summary>
public sealed class BoundedQueue<T>(int capacity) : IEnumerable<T>
{
    private readonly ConcurrentQueue<T> _items = new();
    private long _dropped;

    public int Count => _items.Count;
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Enqueue(T item)
    {
        if (_items.Count < capacity) _items.Enqueue(item);
        else Interlocked.Increment(ref _dropped);
    }

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A log line saying a file was written at <paramref name="WindowsPath"/> (a local or UNC path).</summary>
public sealed record FileWriteClaim(string WindowsPath, string Artifact, long? Line, long? Record, DateTime? Time,
    string? ClientIp, string RuleId, string How);

/// <summary>A request for <paramref name="UrlPath"/> seen in a web log.</summary>
public sealed record PageRequest(string UrlPath, string Method, int Status, string? ClientIp, string? UserAgent,
    DateTime? Time, string Artifact, long Line);
