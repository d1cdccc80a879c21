using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Exhunt.Detection.Iocs;

/// <summary>
/// "Report once" memory that lives as long as one scan's <see cref="ScanContext"/>: rule instances outlive a scan
/// (a RuleSet can be reused), so their dedup state is keyed by the context rather than held in fields.
/// </summary>
public sealed class PerScan<TKey> where TKey : notnull
{
    private readonly ConditionalWeakTable<ScanContext, ConcurrentDictionary<TKey, byte>> _seen = new();

    /// <summary>True the first time <paramref name="key"/> is seen in this scan.</summary>
    public bool First(ScanContext context, TKey key) => Seen(context).TryAdd(key, 0);

    /// <summary>How many distinct keys this scan has seen.</summary>
    public int Count(ScanContext context) => Seen(context).Count;

    private ConcurrentDictionary<TKey, byte> Seen(ScanContext context) =>
        _seen.GetValue(context, _ => new ConcurrentDictionary<TKey, byte>());
}

/// <summary>A counter that lives as long as one scan's <see cref="ScanContext"/>.</summary>
public sealed class PerScanCounter
{
    private readonly ConditionalWeakTable<ScanContext, StrongBox<int>> _counts = new();

    /// <summary>Adds one and says whether the count is still within <paramref name="limit"/>.</summary>
    public bool TryTake(ScanContext context, int limit)
    {
        var box = _counts.GetValue(context, _ => new StrongBox<int>());
        if (Volatile.Read(ref box.Value) >= limit) return false;
        return Interlocked.Increment(ref box.Value) <= limit;
    }
}
