using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Story;

/// <summary>The Exchange endpoint a request went to, from the first segment of its URL path.</summary>
public enum EndpointClass { Owa, Ecp, Ews, Autodiscover, Mapi, ActiveSync, Oab, PowerShell, Other }

public static class EndpointClasses
{
    public static readonly EndpointClass[] All = Enum.GetValues<EndpointClass>();

    public static string ToWire(this EndpointClass c) => c switch
    {
        EndpointClass.Owa => "owa", EndpointClass.Ecp => "ecp", EndpointClass.Ews => "ews",
        EndpointClass.Autodiscover => "autodiscover", EndpointClass.Mapi => "mapi",
        EndpointClass.ActiveSync => "activesync", EndpointClass.Oab => "oab",
        EndpointClass.PowerShell => "powershell", _ => "other",
    };

    public static EndpointClass Of(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty || path[0] != '/') return EndpointClass.Other;
        var seg = path[1..];
        var end = seg.IndexOfAny('/', '?');
        if (end >= 0) seg = seg[..end];
        if (seg.Equals("owa", StringComparison.OrdinalIgnoreCase)) return EndpointClass.Owa;
        if (seg.Equals("ecp", StringComparison.OrdinalIgnoreCase)) return EndpointClass.Ecp;
        if (seg.Equals("ews", StringComparison.OrdinalIgnoreCase)) return EndpointClass.Ews;
        if (seg.Equals("autodiscover", StringComparison.OrdinalIgnoreCase)) return EndpointClass.Autodiscover;
        if (seg.Equals("mapi", StringComparison.OrdinalIgnoreCase)) return EndpointClass.Mapi;
        if (seg.Equals("Microsoft-Server-ActiveSync", StringComparison.OrdinalIgnoreCase)) return EndpointClass.ActiveSync;
        if (seg.Equals("oab", StringComparison.OrdinalIgnoreCase)) return EndpointClass.Oab;
        if (seg.Equals("powershell", StringComparison.OrdinalIgnoreCase)) return EndpointClass.PowerShell;
        return EndpointClass.Other;
    }
}

/// <summary>One hour of one host's web traffic: requests per endpoint class, the clients and the most asked paths
/// and user agents. Every set is capped, so hostile logs cannot grow it without bound; caps are counted.</summary>
public sealed class HourTraffic
{
    public const int MaxIps = 4096, MaxKeys = 256;

    public long[] ByClass { get; } = new long[EndpointClasses.All.Length];
    public long Requests => ByClass.Sum();
    /// <summary>Clients as 64-bit hashes of their address text (no string per client and hour).</summary>
    public HashSet<ulong> Ips { get; } = new();
    /// <summary>Requests whose client was not added to <see cref="Ips"/> because the set was full.</summary>
    public long IpsOverflow { get; set; }
    public Dictionary<string, long> Paths { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, long> UserAgents { get; } = new(StringComparer.Ordinal);

    internal void AddIp(ulong ip)
    {
        if (Ips.Count < MaxIps || Ips.Contains(ip)) Ips.Add(ip); else IpsOverflow++;
    }

    internal static void AddKey(Dictionary<string, long> counts, string key, long n)
    {
        if (counts.TryGetValue(key, out var c)) counts[key] = c + n;
        else if (counts.Count < MaxKeys) counts[key] = n;
        else counts["(other)"] = counts.GetValueOrDefault("(other)") + n;
    }

    /// <summary>Empty again, keeping the sets' capacity: a file's hours are reused by the next file.</summary>
    internal void Reset()
    {
        Array.Clear(ByClass);
        Ips.Clear();
        IpsOverflow = 0;
        Paths.Clear();
        UserAgents.Clear();
    }

    internal void MergeFrom(HourTraffic o)
    {
        for (var i = 0; i < ByClass.Length; i++) ByClass[i] += o.ByClass[i];
        foreach (var ip in o.Ips) AddIp(ip);
        IpsOverflow += o.IpsOverflow;
        foreach (var (k, v) in o.Paths) AddKey(Paths, k, v);
        foreach (var (k, v) in o.UserAgents) AddKey(UserAgents, k, v);
    }
}

/// <summary>One host's web traffic by hour, from one kind of web log (IIS or HttpProxy: the same request is logged
/// by both, so they are kept apart and never added).</summary>
public sealed class HostTraffic(string host, ArtifactKind source)
{
    /// <summary>Hours kept per host and source (over a year): hours beyond are counted, not kept.</summary>
    public const int MaxHours = 24 * 400;
    public const int MaxExternalIps = 200_000;

    public string Host { get; } = host;
    public ArtifactKind Source { get; } = source;
    /// <summary>Hour start (UTC) → traffic.</summary>
    public SortedDictionary<DateTime, HourTraffic> Hours { get; } = new();
    /// <summary>External client (hash of its address) → the first hour it was seen.</summary>
    public Dictionary<ulong, DateTime> FirstSeen { get; } = new();
    public long DroppedRequests { get; internal set; }
    public long DroppedIps { get; internal set; }
    public long Requests => Hours.Values.Sum(h => h.Requests);
    /// <summary>Where a file's counter takes its hours from (the scan's spares); null for the scan's own totals.</summary>
    internal Spares<HourTraffic>? Spare { get; init; }

    internal HourTraffic? Hour(DateTime hour)
    {
        if (Hours.TryGetValue(hour, out var h)) return h;
        if (Hours.Count >= MaxHours) return null;
        return Hours[hour] = Spare?.Take() ?? new HourTraffic();
    }

    internal void SeeExternal(ulong ip, DateTime hour)
    {
        if (FirstSeen.TryGetValue(ip, out var first)) { if (hour < first) FirstSeen[ip] = hour; }
        else if (FirstSeen.Count < MaxExternalIps) FirstSeen[ip] = hour;
        else DroppedIps++;
    }

    internal void MergeFrom(HostTraffic o)
    {
        foreach (var (hour, t) in o.Hours)
        {
            if (Hour(hour) is { } mine) mine.MergeFrom(t); else DroppedRequests += t.Requests;
        }
        foreach (var (ip, first) in o.FirstSeen) SeeExternal(ip, first);
        DroppedRequests += o.DroppedRequests;
        DroppedIps += o.DroppedIps;
    }

    /// <summary>New external clients per hour: clients whose first request in the evidence fell in that hour.</summary>
    public Dictionary<DateTime, int> NewExternalIps()
    {
        var counts = new Dictionary<DateTime, int>();
        foreach (var first in FirstSeen.Values) counts[first] = counts.GetValueOrDefault(first) + 1;
        return counts;
    }
}

/// <summary>
/// Web traffic of a whole scan, by host and hour, counted while the logs are read (no second pass). Each file is
/// counted into its own <see cref="TrafficCounter"/> without locks and merged here when the file is done.
/// </summary>
public sealed class Traffic
{
    private readonly Dictionary<(string Host, ArtifactKind Source), HostTraffic> _hosts = new();

    public static bool Counts(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>One string per distinct path or user agent for the whole scan (every hourly file repeats them).</summary>
    internal StringPool Strings { get; } = new();
    /// <summary>Emptied hours of finished files, reused by the next (each file's counts are merged, then dropped).</summary>
    private readonly Spares<HourTraffic> _spareHours = new();
    internal Spares<HourTraffic> SpareHours => _spareHours;
    internal Spares<KeyTable> SpareTables { get; } = new();
    internal Spares<HourKeys> SpareKeys { get; } = new();
    private readonly Dictionary<ulong, bool> _external = new();

    /// <summary>Whether a client (hash of its address) is external; looked up once per address per scan, not per file.</summary>
    internal bool IsExternal(ulong key, ReadOnlySpan<char> ip)
    {
        lock (_external)
        {
            if (_external.TryGetValue(key, out var known)) return known;
            var external = !IpAddresses.IsInternal(ip.ToString());
            if (_external.Count < HostTraffic.MaxExternalIps) _external[key] = external;
            return external;
        }
    }

    public TrafficCounter? CounterFor(EvidenceFile file) => Counts(file.Kind) ? new TrafficCounter(file, this) : null;

    internal void Merge(IEnumerable<HostTraffic> parts)
    {
        lock (_hosts)
        {
            foreach (var p in parts)
            {
                if (!_hosts.TryGetValue((p.Host.ToUpperInvariant(), p.Source), out var mine))
                    _hosts[(p.Host.ToUpperInvariant(), p.Source)] = mine = new HostTraffic(p.Host, p.Source);
                mine.MergeFrom(p);
                foreach (var hour in p.Hours.Values) { hour.Reset(); _spareHours.Give(hour); }
            }
        }
    }

    /// <summary>Per host, the series to judge: IIS when the host has IIS logs (they see every request, failed
    /// ones too), else HttpProxy.</summary>
    public IReadOnlyList<HostTraffic> PerHost()
    {
        lock (_hosts)
        {
            return _hosts.Values.GroupBy(h => h.Host, StringComparer.OrdinalIgnoreCase)
                .Select(g => g.OrderByDescending(h => h.Source == ArtifactKind.Iis).ThenByDescending(h => h.Requests).First())
                .OrderBy(h => h.Host, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
    }
}

/// <summary>
/// Counts the lines of one web log. It reads only the columns it needs (time, URL path, client, user agent, server,
/// port) and, for lines no rule wanted (not split by the reader), finds just those columns in the raw line.
/// </summary>
public sealed class TrafficCounter
{
    private readonly EvidenceFile _file;
    private readonly Traffic _owner;
    private readonly Dictionary<string, HostTraffic> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly char _sep;
    private readonly bool _w3c;
    private HostTraffic? _last;
    private DateTime _lastHour;
    private HourTraffic? _lastBucket;

    internal TrafficCounter(EvidenceFile file, Traffic owner)
    {
        _file = file;
        _owner = owner;
        _w3c = file.Kind == ArtifactKind.Iis;
        _sep = _w3c ? ' ' : ',';
        _paths = owner.SpareTables.Take(t => t.IgnoreCase) ?? new KeyTable(ignoreCase: true, owner.Strings);
        _agents = owner.SpareTables.Take(t => !t.IgnoreCase) ?? new KeyTable(ignoreCase: false, owner.Strings);
    }

    /// <summary>One data line. <paramref name="split"/>: the reader split it into columns (else only its time is set).</summary>
    public void Observe(LogRecord record, bool split)
    {
        if (record.Time is not { } time) return;
        ReadOnlySpan<char> stem, ip, ua, server, port;
        if (split)
        {
            stem = record[Field.UrlStem]; ip = record[Field.ClientIp]; ua = record[Field.UserAgent];
            server = record[Field.ServerHost]; port = record[Field.ServerPort];
        }
        else
        {
            var of = record.ColumnOf;
            Columns(record.Raw, of[(int)Field.UrlStem], of[(int)Field.ClientIp], of[(int)Field.UserAgent],
                of[(int)Field.ServerHost], of[(int)Field.ServerPort], out stem, out ip, out ua, out server, out port);
        }
        Count(time, stem, ip, ua, server, port, split);
    }

    /// <summary>
    /// An unsplit line from its raw bytes, without decoding the line: its five columns are found in the bytes (the
    /// separators are ASCII, so they fall where they do in the decoded text) and widened when they are ASCII, so the
    /// counts are those <see cref="Observe"/> would make. False (nothing counted) when a value is not ASCII: the caller
    /// then decodes the line and calls <see cref="Observe"/>.
    /// </summary>
    public bool ObserveRaw(LogRecord record, ReadOnlySpan<byte> raw)
    {
        if (record.Time is not { } time) return true;
        var of = record.ColumnOf;
        int a = of[(int)Field.UrlStem], b = of[(int)Field.ClientIp], c = of[(int)Field.UserAgent], d = of[(int)Field.ServerHost], e = of[(int)Field.ServerPort];
        PickBytes(raw, (byte)_sep, a, b, c, d, e, out var va, out var vb, out var vc, out var vd, out var ve);
        var total = va.Length + vb.Length + vc.Length + vd.Length + ve.Length;
        if (total > 4096 || !Ascii.IsValid(va) || !Ascii.IsValid(vb) || !Ascii.IsValid(vc) || !Ascii.IsValid(vd) || !Ascii.IsValid(ve)) return false;
        if (_wide.Length < total) _wide = new char[Math.Max(total, 512)];
        var w = _wide.AsSpan();
        var stem = Widen(va, ref w); var ip = Widen(vb, ref w); var ua = Widen(vc, ref w); var server = Widen(vd, ref w); var port = Widen(ve, ref w);
        Count(time, stem, ip, ua, server, port, split: false);
        return true;
    }

    private char[] _wide = [];

    private ReadOnlySpan<char> Widen(ReadOnlySpan<byte> value, ref Span<char> into)
    {
        if (_w3c && value.Length == 1 && value[0] == (byte)'-') return default;
        Ascii.ToUtf16(value, into, out var n);
        var s = into[..n];
        into = into[n..];
        return s;
    }

    private void Count(DateTime time, ReadOnlySpan<char> stem, ReadOnlySpan<char> ip, ReadOnlySpan<char> ua, ReadOnlySpan<char> server,
        ReadOnlySpan<char> port, bool split)
    {
        // The back-end site (port 444) logs every front-end request again, with the front end as client.
        if (_w3c && port.SequenceEqual("444")) return;

        var host = HostFor(server);
        var hour = new DateTime(time.Year, time.Month, time.Day, time.Hour, 0, 0, DateTimeKind.Utc);
        HourTraffic? bucket;
        if (host == _last && hour == _lastHour && _lastBucket is not null) bucket = _lastBucket;
        else
        {
            bucket = host.Hour(hour);
            _last = host; _lastHour = hour; _lastBucket = bucket;
            _lastKeys = null;
            if (bucket is not null && !_hourKeys.TryGetValue(bucket, out _lastKeys))
                _hourKeys[bucket] = _lastKeys = _owner.SpareKeys.Take() ?? new HourKeys();
        }
        if (bucket is null) { host.DroppedRequests++; return; }
        var hourKeys = _lastKeys!;
        bucket.ByClass[(int)EndpointClasses.Of(stem)]++;
        if (!ip.IsEmpty)
        {
            var key = HashOf(ip);
            if (bucket.Ips.Contains(key)) { }
            else
            {
                // First request of this client in this hour: the only time its address is looked at.
                bucket.AddIp(key);
                if (_owner.IsExternal(key, ip)) host.SeeExternal(key, hour);
            }
        }
        if (!stem.IsEmpty) Count(_paths, hourKeys.Paths, bucket.Paths, stem.Length > 200 ? stem[..200] : stem);
        if (!ua.IsEmpty)
        {
            ua = ua.Length > 200 ? ua[..200] : ua;
            if (_w3c && !split && ua.Contains('+'))
            {
                // W3C writes spaces as '+'; the reader undoes that only on the lines it splits.
                if (_ua.Length < ua.Length) _ua = new char[Math.Max(ua.Length, 256)];
                ua.CopyTo(_ua);
                _ua.AsSpan(0, ua.Length).Replace('+', ' ');
                ua = _ua.AsSpan(0, ua.Length);
            }
            Count(_agents, hourKeys.Agents, bucket.UserAgents, ua);
        }
    }

    private char[] _ua = [];
    /// <summary>This file's distinct paths and user agents, each numbered once: a line costs one fast hash and one
    /// compare per value, not a string-keyed dictionary lookup per hour (strings come from the scan's shared pool).</summary>
    private readonly KeyTable _paths, _agents;
    /// <summary>Per hour of this file, paths and agents counted by number; turned into strings in <see cref="Complete"/>.</summary>
    private readonly Dictionary<HourTraffic, HourKeys> _hourKeys = new(ReferenceEqualityComparer.Instance);
    private HourKeys? _lastKeys;

    /// <summary>FNV-1a over the address text, case-folded (IPv6 hex).</summary>
    internal static ulong HashOf(ReadOnlySpan<char> ip)
    {
        var h = 14695981039346656037UL;
        foreach (var c in ip)
        {
            // ASCII folds by one bit (as char.ToLowerInvariant does there), without the call per character.
            h ^= c < 0x80 ? ((uint)(c - 'A') <= 'Z' - 'A' ? (char)(c | 0x20) : c) : char.ToLowerInvariant(c);
            h *= 1099511628211UL;
        }
        return h;
    }


    /// <summary>One value into one hour: by number while the file's table has room, else (hostile logs) by string as before.</summary>
    private static void Count(KeyTable table, HourCounts hour, Dictionary<string, long> fallback, ReadOnlySpan<char> key)
    {
        var id = table.IdOf(key);
        if (id >= 0) hour.Add(id, table, key);
        else AddByString(fallback, key);
    }

    private static void AddByString(Dictionary<string, long> counts, ReadOnlySpan<char> key)
    {
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(key, out var c)) { lookup[key] = c + 1; return; }
        HourTraffic.AddKey(counts, key.ToString(), 1);
    }

    private HostTraffic HostFor(ReadOnlySpan<char> server)
    {
        if (_last is not null && (server.IsEmpty ? _last.Host == (_file.Host ?? HostName.Unknown) : server.Equals(_last.Host, StringComparison.OrdinalIgnoreCase)))
            return _last;
        var name = server.IsEmpty ? _file.Host ?? HostName.Unknown : server.ToString();
        if (!_hosts.TryGetValue(name, out var h)) _hosts[name] = h = new HostTraffic(name, _file.Kind) { Spare = _owner.SpareHours };
        _lastBucket = null;
        _lastKeys = null;
        return h;
    }

    /// <summary>Five columns of an unquoted line in one walk ('-' is empty in W3C; a negative index: absent).</summary>
    private void Columns(ReadOnlySpan<char> raw, int a, int b, int c, int d, int e,
        out ReadOnlySpan<char> va, out ReadOnlySpan<char> vb, out ReadOnlySpan<char> vc, out ReadOnlySpan<char> vd, out ReadOnlySpan<char> ve)
    {
        Pick(raw, _sep, a, b, c, d, e, out va, out vb, out vc, out vd, out ve);
        if (!_w3c) return;
        if (va is "-") va = default;
        if (vb is "-") vb = default;
        if (vc is "-") vc = default;
        if (vd is "-") vd = default;
        if (ve is "-") ve = default;
    }

    /// <summary>The columns <paramref name="a"/>..<paramref name="e"/> of a separated line, as written, in one walk
    /// (chars of a decoded line or bytes of a raw one; a negative index: absent).</summary>
    private static void Pick<T>(ReadOnlySpan<T> raw, T sep, int a, int b, int c, int d, int e,
        out ReadOnlySpan<T> va, out ReadOnlySpan<T> vb, out ReadOnlySpan<T> vc, out ReadOnlySpan<T> vd, out ReadOnlySpan<T> ve)
        where T : IEquatable<T>
    {
        va = vb = vc = vd = ve = default;
        var last = Math.Max(Math.Max(a, b), Math.Max(Math.Max(c, d), e));
        for (var col = 0; col <= last; col++)
        {
            var end = raw.IndexOf(sep);
            var value = end < 0 ? raw : raw[..end];
            if (col == a) va = value;
            if (col == b) vb = value;
            if (col == c) vc = value;
            if (col == d) vd = value;
            if (col == e) ve = value;
            if (end < 0) break;
            raw = raw[(end + 1)..];
        }
    }

    /// <summary>
    /// <see cref="Pick{T}"/> for a raw line, its separators found 32 bytes a step (one compare per step, not one
    /// IndexOf call per column); the same columns, cut the same way.
    /// </summary>
    private static void PickBytes(ReadOnlySpan<byte> raw, byte sep, int a, int b, int c, int d, int e,
        out ReadOnlySpan<byte> va, out ReadOnlySpan<byte> vb, out ReadOnlySpan<byte> vc, out ReadOnlySpan<byte> vd, out ReadOnlySpan<byte> ve)
    {
        var last = Math.Max(Math.Max(a, b), Math.Max(Math.Max(c, d), e));
        if (last > 255 || !Vector256.IsHardwareAccelerated)
        {
            Pick(raw, sep, a, b, c, d, e, out va, out vb, out vc, out vd, out ve);
            return;
        }
        va = vb = vc = vd = ve = default;
        if (last < 0) return;
        Span<int> starts = stackalloc int[last + 1], ends = stackalloc int[last + 1];
        int col = 0, start = 0, i = 0, n = raw.Length;
        ref var first = ref MemoryMarshal.GetReference(raw);
        var vsep = Vector256.Create(sep);
        for (; i + Vector256<byte>.Count <= n && col <= last; i += Vector256<byte>.Count)
        {
            var mask = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)i), vsep).ExtractMostSignificantBits();
            while (mask != 0 && col <= last)
            {
                var at = i + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                starts[col] = start;
                ends[col++] = at;
                start = at + 1;
            }
        }
        for (; i < n && col <= last; i++)
        {
            if (raw[i] != sep) continue;
            starts[col] = start;
            ends[col++] = i;
            start = i + 1;
        }
        // The value after the last separator runs to the end of the line; columns past it are absent (empty).
        if (col <= last) { starts[col] = start; ends[col++] = n; }
        if ((uint)a < (uint)col) va = raw[starts[a]..ends[a]];
        if ((uint)b < (uint)col) vb = raw[starts[b]..ends[b]];
        if ((uint)c < (uint)col) vc = raw[starts[c]..ends[c]];
        if ((uint)d < (uint)col) vd = raw[starts[d]..ends[d]];
        if ((uint)e < (uint)col) ve = raw[starts[e]..ends[e]];
    }

    /// <summary>Hands this file's counts to the scan's total.</summary>
    public void Complete()
    {
        foreach (var (bucket, keys) in _hourKeys)
        {
            keys.Paths.CopyTo(bucket.Paths, _paths);
            keys.Agents.CopyTo(bucket.UserAgents, _agents);
            keys.Reset();
            _owner.SpareKeys.Give(keys);
        }
        _hourKeys.Clear();
        _paths.Reset();
        _agents.Reset();
        _owner.SpareTables.Give(_paths);
        _owner.SpareTables.Give(_agents);
        _owner.Merge(_hosts.Values);
    }
}
