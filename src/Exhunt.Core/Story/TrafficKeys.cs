using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Exhunt.Story;

/// <summary>A few emptied objects kept for reuse by the next file (bounded, thread-safe).</summary>
internal sealed class Spares<T> where T : class
{
    public const int MaxKept = 256;
    private readonly List<T> _items = new();

    public T? Take(Func<T, bool>? fits = null)
    {
        lock (_items)
        {
            for (var i = _items.Count - 1; i >= 0; i--)
            {
                if (fits is not null && !fits(_items[i])) continue;
                var item = _items[i];
                _items[i] = _items[^1];
                _items.RemoveAt(_items.Count - 1);
                return item;
            }
            return null;
        }
    }

    public void Give(T item)
    {
        lock (_items) if (_items.Count < MaxKept) _items.Add(item);
    }
}

/// <summary>One string per distinct path or user agent for a whole scan, shared by every file's counter.</summary>
internal sealed class StringPool
{
    public const int MaxStrings = 200_000;
    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);

    public string Intern(ReadOnlySpan<char> value)
    {
        lock (_strings)
        {
            if (_strings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(value, out var known)) return known;
            var text = value.ToString();
            if (_strings.Count < MaxStrings) _strings.Add(text);
            return text;
        }
    }
}

/// <summary>
/// A file's distinct values (paths: ignoring case, as <see cref="HourTraffic.Paths"/> does; agents: exactly), each
/// numbered once. Open addressing over a seeded 64-bit hash read eight bytes at a time, every hit confirmed by comparing
/// the text, so numbers are exact. Bounded: at most <see cref="MaxKeys"/> values and <see cref="MaxProbe"/> probes per
/// lookup; past either (hostile logs), -1 and the caller counts by string.
/// </summary>
internal sealed class KeyTable(bool ignoreCase, StringPool pool)
{
    public const int MaxKeys = 100_000, MaxProbe = 32;
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly ulong _fold = ignoreCase ? 0x0020_0020_0020_0020UL : 0;
    private int[] _slots = new int[64];
    private ulong[] _hashes = new ulong[32];
    private string[] _texts = new string[32];
    private int _count;

    public bool IgnoreCase => _fold != 0;
    public string Text(int id) => _texts[id];

    /// <summary>Empty again, keeping its arrays (up to a size) for the next file.</summary>
    public void Reset()
    {
        if (_slots.Length > 1 << 14) { _slots = new int[64]; _hashes = new ulong[32]; _texts = new string[32]; }
        else { Array.Clear(_slots); Array.Clear(_texts, 0, _count); }
        _count = 0;
    }

    public int IdOf(ReadOnlySpan<char> key)
    {
        var h = Hash(key);
        var mask = _slots.Length - 1;
        var i = (int)h & mask;
        for (var probe = 0; ; probe++, i = (i + 1) & mask)
        {
            var s = _slots[i];
            if (s == 0) break;
            if (probe == MaxProbe) return -1;
            var id = s - 1;
            if (_hashes[id] == h && Same(_texts[id], key)) return id;
        }
        if (_count >= MaxKeys) return -1;
        if (_count == _texts.Length)
        {
            Array.Resize(ref _texts, _count * 2);
            Array.Resize(ref _hashes, _count * 2);
        }
        var added = _count++;
        _texts[added] = pool.Intern(key);
        _hashes[added] = h;
        _slots[i] = added + 1;
        if (_count * 2 > _slots.Length) Grow();
        return added;
    }

    private bool Same(string text, ReadOnlySpan<char> key) =>
        _fold == 0 ? key.SequenceEqual(text) : key.Equals(text, StringComparison.OrdinalIgnoreCase);

    private void Grow()
    {
        _slots = new int[_slots.Length * 2];
        var mask = _slots.Length - 1;
        for (var id = 0; id < _count; id++)
        {
            var i = (int)_hashes[id] & mask;
            while (_slots[i] != 0) i = (i + 1) & mask;
            _slots[i] = id + 1;
        }
    }

    /// <summary>Case-insensitive keys: ASCII letters fold by one bit; text with other characters hashes by the
    /// framework's own ignore-case hash, so equal keys always hash equal.</summary>
    private ulong Hash(ReadOnlySpan<char> key)
    {
        if (_fold != 0 && !Ascii.IsValid(key))
            return Mix(Seed ^ (ulong)(uint)string.GetHashCode(key, StringComparison.OrdinalIgnoreCase) ^ 0x8000_0000_0000_0000UL);
        var b = MemoryMarshal.AsBytes(key);
        ulong h1 = Seed ^ (ulong)b.Length, h2 = Seed * 0x9E37_79B9_7F4A_7C15UL;
        var i = 0;
        for (; i + 16 <= b.Length; i += 16)
        {
            h1 = Mix(h1 ^ (Read(b, i) | _fold));
            h2 = Mix(h2 ^ (Read(b, i + 8) | _fold));
        }
        if (i + 8 <= b.Length) { h1 = Mix(h1 ^ (Read(b, i) | _fold)); i += 8; }
        if (i < b.Length)
        {
            ulong tail = 0;
            for (var k = 0; i + k < b.Length; k++) tail |= (ulong)b[i + k] << (8 * k);
            h2 = Mix(h2 ^ (tail | (_fold & ((1UL << (8 * (b.Length - i))) - 1))));
        }
        return Mix(h1 ^ BitOperations.RotateLeft(h2, 31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read(ReadOnlySpan<byte> b, int at) => MemoryMarshal.Read<ulong>(b[at..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x *= 0xFF51_AFD7_ED55_8CCDUL;
        return x ^ (x >> 32);
    }
}

/// <summary>One hour of one file: how often each numbered value came, capped like <see cref="HourTraffic.AddKey"/>.
/// Counts by number in an array, and the numbers in the order first seen (the order the capped copy sees them).</summary>
internal sealed class HourCounts
{
    /// <summary>Numbers up to this count in the array; higher ones (files with very many distinct values) in a dictionary,
    /// so a kept hour never holds a large array.</summary>
    private const int ArrayIds = 1 << 12;
    private long[] _counts = new long[64];
    private Dictionary<int, long>? _high;
    private readonly List<int> _order = new();
    private long _other;
    /// <summary>Values whose first spelling in this hour differs (in case only) from the file's first spelling.</summary>
    private Dictionary<int, string>? _spelling;

    public void Add(int id, KeyTable table, ReadOnlySpan<char> key)
    {
        if (id < _counts.Length && _counts[id] > 0) { _counts[id]++; return; }
        if (id >= ArrayIds && _high is not null && _high.TryGetValue(id, out var n)) { _high[id] = n + 1; return; }
        if (_order.Count >= HourTraffic.MaxKeys) { _other++; return; }
        if (id >= ArrayIds) (_high ??= new())[id] = 1;
        else
        {
            if (id >= _counts.Length) Array.Resize(ref _counts, Math.Min(ArrayIds, Math.Max(id + 1, _counts.Length * 2)));
            _counts[id] = 1;
        }
        _order.Add(id);
        if (!key.SequenceEqual(table.Text(id))) (_spelling ??= new())[id] = key.ToString();
    }

    public void Reset()
    {
        foreach (var id in _order) if (id < ArrayIds) _counts[id] = 0;
        _order.Clear();
        _high = null;
        _other = 0;
        _spelling = null;
    }

    public void CopyTo(Dictionary<string, long> counts, KeyTable table)
    {
        foreach (var id in _order)
            HourTraffic.AddKey(counts, _spelling is not null && _spelling.TryGetValue(id, out var s) ? s : table.Text(id), id < ArrayIds ? _counts[id] : _high![id]);
        if (_other > 0) HourTraffic.AddKey(counts, "(other)", _other);
    }
}

internal sealed class HourKeys
{
    public HourCounts Paths { get; } = new();
    public HourCounts Agents { get; } = new();
    public void Reset() { Paths.Reset(); Agents.Reset(); }
}
