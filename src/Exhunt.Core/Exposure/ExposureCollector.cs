using System.Collections.Concurrent;

namespace Exhunt.Exposure;

/// <summary>
/// Build observations gathered during a scan, thread-safe. The same (host, build, precision, artifact, how) seen many
/// times (every IIS line that requests /owa/auth/15.1.2176/...) is kept once, with its first and last time.
/// Bounded: hostile logs may name thousands of builds.
/// </summary>
public sealed class ExposureCollector
{
    public const int MaxDistinct = 10_000;

    private readonly ConcurrentDictionary<(string Host, ExchangeBuild Build, BuildPrecision Precision, string Artifact, string How), Span> _seen = new();
    private long _dropped;

    private sealed class Span
    {
        public DateTime? First, Last;
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Add(BuildObservation o)
    {
        var key = (BuildObservation.HostOrUnknown(o.Host), o.Build, o.Precision, o.Artifact, o.How);
        if (!_seen.TryGetValue(key, out var span))
        {
            if (_seen.Count >= MaxDistinct) { Interlocked.Increment(ref _dropped); return; }
            span = _seen.GetOrAdd(key, _ => new Span());
        }
        lock (span)
        {
            var first = o.FirstSeen ?? o.LastSeen;
            var last = o.LastSeen ?? o.FirstSeen;
            if (first is { } f && (span.First is null || f < span.First)) span.First = f;
            if (last is { } l && (span.Last is null || l > span.Last)) span.Last = l;
        }
    }

    public IReadOnlyList<BuildObservation> Snapshot() =>
        _seen.Select(kv =>
            {
                lock (kv.Value) return new BuildObservation(kv.Key.Host, kv.Key.Build, kv.Key.Precision, kv.Key.Artifact, kv.Key.How, kv.Value.First, kv.Value.Last);
            })
            .OrderBy(o => o.Host, StringComparer.OrdinalIgnoreCase).ThenBy(o => o.Build).ThenBy(o => o.Artifact, StringComparer.Ordinal)
            .ToList();
}
