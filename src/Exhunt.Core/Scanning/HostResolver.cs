using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Story;

namespace Exhunt.Scanning;

/// <summary>
/// Gives every artifact and finding a host, in this order: what the record itself names (event Computer, a log's
/// server field); the collection's host (<see cref="EvidenceFile.Host"/>: KAPE/Velociraptor host folder, per-server
/// zip); for a file under an Exchange install root, the host the other artifacts under that root name; when the whole
/// evidence names exactly one host, that host; else "unknown". Then sums per host what was read (<see cref="HostCoverage"/>).
/// </summary>
public static class HostResolver
{
    /// <summary>A file's last-write time places it on the timeline only if it is no later than this after the newest
    /// record of its host: later times are taken for the time it was copied, not written.</summary>
    public static readonly TimeSpan FileTimeTrust = TimeSpan.FromDays(30);
    private static readonly DateTime Earliest = new(2012, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static void ResolveArtifacts(IReadOnlyList<ArtifactResult> results, IReadOnlyList<string> installRoots)
    {
        // A log's own server field comes before the collection's name for it, as it does for the log's findings
        // (WebHit and the other log rules take the record's server first): coverage and findings then land on one host.
        var own = results.Select(r => HostName.Normalize(r.LogHost) ?? HostName.Normalize(r.File.Host) ?? r.Hosts.Dominant).ToArray();
        var rootHost = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var root in installRoots.OrderByDescending(r => r.Length))
        {
            var host = results.Select((r, i) => (r, h: own[i])).Where(x => x.h is not null && Under(x.r.File.RelativePath, root))
                .GroupBy(x => x.h!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.Key;
            if (host is not null) rootHost[root] = host;
        }
        var known = own.OfType<string>().Distinct().ToList();
        for (var i = 0; i < results.Count; i++)
        {
            var path = results[i].File.RelativePath;
            results[i].Host = own[i]
                ?? installRoots.Where(r => Under(path, r) && rootHost.ContainsKey(r)).OrderByDescending(r => r.Length).Select(r => rootHost[r]).FirstOrDefault()
                ?? (known.Count == 1 ? known[0] : HostName.Unknown);
        }
    }

    /// <summary>Normalises every finding's host (else its artifact's) and gives file findings their file's time.</summary>
    public static void ResolveFindings(IReadOnlyList<Finding> findings, IReadOnlyList<ArtifactResult> results, IReadOnlyList<HostCoverage> hosts, DateTime scanStart)
    {
        var byPath = new Dictionary<string, ArtifactResult>(StringComparer.Ordinal);
        foreach (var r in results) byPath.TryAdd(r.File.RelativePath, r);
        var newest = hosts.ToDictionary(h => h.Host, h => h.Last);
        foreach (var f in findings)
        {
            byPath.TryGetValue(f.Artifact, out var artifact);
            f.Host = HostName.Normalize(f.Host) ?? artifact?.Host ?? HostName.Unknown;
            if (f.Time is not null || f.Line is not null || f.Record is not null || artifact?.File.LastWriteUtc is not { } written) continue;
            if (written < Earliest || written > scanStart) continue;
            if (newest.GetValueOrDefault(f.Host) is { } last && written > last + FileTimeTrust) continue;
            f.Time = written;
            f.TimeSource = "file last-write time";
        }
    }

    public static IReadOnlyList<HostCoverage> Cover(IReadOnlyList<ArtifactResult> results, IReadOnlyList<Finding> findings, IReadOnlyList<string> installRoots)
    {
        var acc = new Dictionary<string, Acc>(StringComparer.Ordinal);
        Acc Of(string h) => acc.TryGetValue(h, out var a) ? a : acc[h] = new Acc();
        foreach (var r in results)
        {
            var a = Of(r.Host);
            a.Files++;
            var kind = r.File.Kind;
            if (installRoots.Any(root => Under(r.File.RelativePath, root))) a.Exchange = true;
            if (kind is ArtifactKind.Evtx or ArtifactKind.EventJson)
            {
                foreach (var (host, o) in r.Hosts.Hosts.Append(new(r.Host, r.Hosts.Unnamed)))
                {
                    if (o.Records == 0) continue;
                    var h = Of(host);
                    h.Add(kind.ToWire() + " (relevant events)", o.Relevant, o.First, o.Last);
                    h.Exchange |= o.Exchange;
                }
            }
            else if (kind.IsLog())
            {
                a.Add(kind.ToWire(), r.Stats.Records, r.Stats.First, r.Stats.Last);
                if (r.Stats.Records > 0 && (ExchangeSignals.IsExchangeLogKind(kind) || r.ExchangeUrls)) a.Exchange = true;
            }
            else if (kind is ArtifactKind.WebPage)
            {
                a.WebFiles++;
            }
        }
        foreach (var f in findings)
            if (f.Host is { } h && ExchangeSignals.NamesExchange(f)) Of(h).Exchange = true;
        return acc.Select(kv => new HostCoverage(kv.Key, kv.Value.Exchange,
                kv.Value.Kinds.Where(k => k.Value > 0).Select(k => $"{k.Key}: {k.Value:N0} record{(k.Value == 1 ? "" : "s")}").Concat(kv.Value.WebFiles > 0 ? [$"web-root pages: {kv.Value.WebFiles}"] : []).ToList(),
                kv.Value.First, kv.Value.Last, kv.Value.Records, kv.Value.WebFiles, kv.Value.Files))
            .OrderByDescending(h => h.Exchange).ThenBy(h => h.Host == HostName.Unknown).ThenBy(h => h.Host, StringComparer.Ordinal)
            .ToList();
    }

    private static bool Under(string path, string root) =>
        root.Length == 0 || (path.Length > root.Length && path[root.Length] == '/' && path.StartsWith(root, StringComparison.OrdinalIgnoreCase));

    private sealed class Acc
    {
        public SortedDictionary<string, long> Kinds { get; } = new(StringComparer.Ordinal);
        public long Records;
        public int Files, WebFiles;
        public bool Exchange;
        public DateTime? First, Last;

        public void Add(string kind, long records, DateTime? first, DateTime? last)
        {
            Kinds[kind] = Kinds.GetValueOrDefault(kind) + records;
            if (records <= 0) return;
            Records += records;
            if (first is { } a && (First is null || a < First)) First = a;
            if (last is { } b && (Last is null || b > Last)) Last = b;
        }
    }
}
