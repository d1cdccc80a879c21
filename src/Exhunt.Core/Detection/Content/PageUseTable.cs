using System.Collections.Concurrent;

namespace Exhunt.Detection.Content;

/// <summary>Who requested one page on one host: counts, first/last time, distinct clients, methods, statuses.</summary>
public sealed class PageUse(string host, string url, string artifact, long line)
{
    public const int MaxClients = 32, MaxMethods = 8, MaxStatuses = 16;

    public string Host { get; } = host;
    public string Url { get; } = url;
    /// <summary>Where the first request recorded for it was logged.</summary>
    public string FirstArtifact { get; } = artifact;
    public long FirstLine { get; } = line;
    public long Count { get; private set; }
    public long Succeeded { get; private set; }
    public DateTime? First { get; private set; }
    public DateTime? Last { get; private set; }
    public List<string> Clients { get; } = new();
    public long MoreClients { get; private set; }
    public List<string> Methods { get; } = new();
    public Dictionary<int, long> Statuses { get; } = new();

    internal void Add(DateTime? time, ReadOnlySpan<char> ip, ReadOnlySpan<char> method, int status)
    {
        lock (this)
        {
            Count++;
            if (status is >= 200 and < 300) Succeeded++;
            if (time is { } t)
            {
                if (First is null || t < First) First = t;
                if (Last is null || t > Last) Last = t;
            }
            if (!ip.IsEmpty && !Contains(Clients, ip))
            {
                if (Clients.Count < MaxClients) Clients.Add(ip.ToString());
                else MoreClients++;
            }
            if (!method.IsEmpty && Methods.Count < MaxMethods && !Contains(Methods, method)) Methods.Add(method.ToString().ToUpperInvariant());
            if (Statuses.TryGetValue(status, out var n)) Statuses[status] = n + 1;
            else if (Statuses.Count < MaxStatuses) Statuses[status] = 1;
        }
    }

    private static bool Contains(List<string> list, ReadOnlySpan<char> value)
    {
        foreach (var s in list) if (value.Equals(s, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}

/// <summary>The span of time page requests were seen for one host (the "covered logs" a no-request answer speaks for).</summary>
public sealed class PageWindow
{
    public DateTime? First { get; private set; }
    public DateTime? Last { get; private set; }
    public long Requests { get; private set; }

    internal void Add(DateTime? time)
    {
        lock (this)
        {
            Requests++;
            if (time is not { } t) return;
            if (First is null || t < First) First = t;
            if (Last is null || t > Last) Last = t;
        }
    }
}

/// <summary>
/// Per (host, URL) use of every server page the web logs asked for — bounded to <see cref="MaxPages"/> distinct
/// pages per scan (the rest are counted in <see cref="Dropped"/>), aggregated rather than kept per request, and
/// allocation-free for a page already seen (the log hot path).
/// </summary>
public sealed class PageUseTable
{
    public const int MaxPages = 100_000;

    private readonly ConcurrentDictionary<string, PageUse> _pages = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, PageWindow> _windows = new(StringComparer.OrdinalIgnoreCase);
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);
    public IEnumerable<PageUse> Pages => _pages.Values;
    public IReadOnlyDictionary<string, PageWindow> Windows => _windows;

    [ThreadStatic] private static char[]? _key;

    public void Record(ReadOnlySpan<char> host, ReadOnlySpan<char> url, DateTime? time, ReadOnlySpan<char> ip, ReadOnlySpan<char> method,
        int status, string artifact, long line)
    {
        var windows = _windows.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!windows.TryGetValue(host, out var window)) window = _windows.GetOrAdd(host.ToString(), _ => new PageWindow());
        window.Add(time);

        var need = host.Length + 1 + url.Length;
        if (_key is null || _key.Length < need) _key = new char[Math.Max(need, 512)];
        host.CopyTo(_key);
        _key[host.Length] = '\n';
        url.CopyTo(_key.AsSpan(host.Length + 1));
        var key = _key.AsSpan(0, need);
        var pages = _pages.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!pages.TryGetValue(key, out var use))
        {
            if (_pages.Count >= MaxPages) { Interlocked.Increment(ref _dropped); return; }
            var created = new PageUse(host.ToString(), url.ToString(), artifact, line);
            use = _pages.GetOrAdd(key.ToString(), created);
        }
        use.Add(time, ip, method, status);
    }
}
