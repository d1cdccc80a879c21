namespace Exhunt.Demo;

/// <summary>A small, fast, seedable generator (xoshiro-style SplitMix64): the same seed gives the same evidence on every runtime.</summary>
internal sealed class DemoRandom
{
    private ulong _state;

    public DemoRandom(long seed, long stream = 0) => _state = Mix((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL + 1);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>0 ≤ result &lt; max.</summary>
    public int Next(int max) => max <= 1 ? 0 : (int)((NextULong() >> 33) % (ulong)max);

    public int Next(int min, int max) => min + Next(max - min);

    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>A latency-like value: mostly small, with a long tail.</summary>
    public int Skewed(int typical, int max)
    {
        var u = NextDouble();
        var v = (int)(typical * -Math.Log(1 - u * 0.999));
        return Math.Min(v, max);
    }

    public Guid NextGuid()
    {
        Span<byte> b = stackalloc byte[16];
        BitConverter.TryWriteBytes(b, NextULong());
        BitConverter.TryWriteBytes(b[8..], NextULong());
        b[7] = (byte)((b[7] & 0x0F) | 0x40); // version 4
        b[8] = (byte)((b[8] & 0x3F) | 0x80); // variant
        return new Guid(b);
    }

    public string Hex(int chars)
    {
        const string digits = "0123456789abcdef";
        return string.Create(chars, this, (s, r) => { for (var i = 0; i < s.Length; i++) s[i] = digits[r.Next(16)]; });
    }

    public string Alnum(int chars)
    {
        const string set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(chars, this, (s, r) => { for (var i = 0; i < s.Length; i++) s[i] = set[r.Next(set.Length)]; });
    }
}
