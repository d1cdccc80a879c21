using System.Numerics;

namespace Exhunt.Matching;

/// <summary>
/// Which literals share a Teddy bucket. A bucket's nibble tables accept every byte whose low and high nibble each
/// belong to some literal of the bucket at that position, so a bucket of unlike literals accepts far more than its
/// literals (ten IP addresses accept most runs of digits and dots). Literals are merged greedily, cheapest first,
/// by the chance that a byte of log text passes the bucket's tables at every fingerprint position (a fixed byte
/// model: digits, lower-case letters and URL punctuation are common), weighted by the literals to verify per
/// candidate. A position beyond a short literal's end accepts any byte.
/// </summary>
internal static class BucketPlan
{
    private const int Positions = 4;

    /// <summary>How likely a byte of web-log text is each value (relative; only the order of costs matters).</summary>
    private static readonly double[] ByteChance = MakeChances();

    private static double[] MakeChances()
    {
        var w = new double[256];
        for (var c = 0; c < 256; c++)
        {
            w[c] = c switch
            {
                >= '0' and <= '9' => 3.0,
                >= 'a' and <= 'z' => 2.0,
                >= 'A' and <= 'Z' => 1.0,
                '.' or '/' or '-' or ',' or ':' or ' ' or ';' or '=' or '&' or '_' or '%' or '+' => 2.0,
                > ' ' and < (char)0x7f => 0.3,
                _ => 0.05,
            };
        }
        var sum = w.Sum();
        for (var c = 0; c < 256; c++) w[c] /= sum;
        return w;
    }

    private sealed class Cluster
    {
        public readonly List<int> Ids = new();
        public readonly ushort[] Lo = new ushort[Positions], Hi = new ushort[Positions];
        public readonly bool[] Wild = new bool[Positions];
        public double Cost;
    }

    /// <summary>Groups <paramref name="ids"/> (literals of two or more bytes, folded) into at most <paramref name="buckets"/> buckets.</summary>
    public static List<int[]> Assign(IReadOnlyList<int> ids, byte[][] bytes, int buckets)
    {
        var clusters = new List<Cluster>();
        foreach (var id in ids)
        {
            var c = new Cluster();
            c.Ids.Add(id);
            var lit = bytes[id];
            for (var k = 0; k < Positions; k++)
            {
                if (k >= lit.Length) { c.Wild[k] = true; continue; }
                foreach (var v in Variants(lit[k]))
                {
                    c.Lo[k] |= (ushort)(1 << (v & 15));
                    c.Hi[k] |= (ushort)(1 << (v >> 4));
                }
            }
            c.Cost = Cost(c.Lo, c.Hi, c.Wild, 1);
            clusters.Add(c);
        }
        Span<ushort> lo = stackalloc ushort[Positions], hi = stackalloc ushort[Positions];
        Span<bool> wild = stackalloc bool[Positions];
        var n = clusters.Count;
        if (n > MaxPlanned)
        {
            // Very large sets (thousands of Sigma literals): consecutive in order of their leading bytes, as before the
            // plan; pairwise merging costs n² per step.
            var ordered = ids.OrderBy(i => Convert.ToHexString(bytes[i].AsSpan(0, Math.Min(Positions, bytes[i].Length)))).ThenBy(i => i).ToArray();
            var per = (ordered.Length + buckets - 1) / buckets;
            return ordered.Chunk(Math.Max(1, per)).ToList();
        }
        // What merging each pair would add, kept in a matrix and updated only for the merged cluster (n² once, then n per merge).
        var added = new double[n, n];
        var alive = new bool[n];
        Array.Fill(alive, true);
        for (var x = 0; x < n; x++)
            for (var y = x + 1; y < n; y++) added[x, y] = Added(clusters[x], clusters[y], lo, hi, wild);
        for (var left = n; left > buckets; left--)
        {
            int bestA = -1, bestB = -1;
            var best = double.MaxValue;
            for (var x = 0; x < n; x++)
            {
                if (!alive[x]) continue;
                for (var y = x + 1; y < n; y++)
                    if (alive[y] && added[x, y] < best) { best = added[x, y]; bestA = x; bestB = y; }
            }
            var into = clusters[bestA];
            var from = clusters[bestB];
            Union(into, from, lo, hi, wild);
            lo.CopyTo(into.Lo);
            hi.CopyTo(into.Hi);
            wild.CopyTo(into.Wild);
            into.Ids.AddRange(from.Ids);
            into.Cost = Cost(into.Lo, into.Hi, into.Wild, into.Ids.Count);
            alive[bestB] = false;
            for (var x = 0; x < n; x++)
            {
                if (!alive[x] || x == bestA) continue;
                var d = Added(clusters[Math.Min(x, bestA)], clusters[Math.Max(x, bestA)], lo, hi, wild);
                added[Math.Min(x, bestA), Math.Max(x, bestA)] = d;
            }
        }
        return clusters.Where((_, i) => alive[i]).Select(c => c.Ids.Order().ToArray()).OrderBy(g => g[0]).ToList();
    }

    /// <summary>Literal sets up to this size are planned; larger ones are dealt in order (the plan is quadratic per step).</summary>
    private const int MaxPlanned = 256;

    private static double Added(Cluster a, Cluster b, Span<ushort> lo, Span<ushort> hi, Span<bool> wild)
    {
        Union(a, b, lo, hi, wild);
        return Cost(lo, hi, wild, a.Ids.Count + b.Ids.Count) - a.Cost - b.Cost;
    }

    private static void Union(Cluster a, Cluster b, Span<ushort> lo, Span<ushort> hi, Span<bool> wild)
    {
        for (var k = 0; k < Positions; k++)
        {
            lo[k] = (ushort)(a.Lo[k] | b.Lo[k]);
            hi[k] = (ushort)(a.Hi[k] | b.Hi[k]);
            wild[k] = a.Wild[k] | b.Wild[k];
        }
    }

    /// <summary>Chance a position passes the bucket, times the literals a candidate makes Verify compare.</summary>
    private static double Cost(ReadOnlySpan<ushort> lo, ReadOnlySpan<ushort> hi, ReadOnlySpan<bool> wild, int literals)
    {
        var p = 1.0;
        for (var k = 0; k < Positions; k++)
        {
            if (wild[k]) continue;
            var sum = 0.0;
            for (var h = (uint)hi[k]; h != 0; h &= h - 1)
            {
                var high = BitOperations.TrailingZeroCount(h) << 4;
                for (var l = (uint)lo[k]; l != 0; l &= l - 1) sum += ByteChance[high | BitOperations.TrailingZeroCount(l)];
            }
            p *= sum;
        }
        return p * (1 + 0.25 * (literals - 1));
    }

    internal static IEnumerable<byte> Variants(byte folded) =>
        (uint)(folded - 'a') <= 'z' - 'a' ? [folded, (byte)(folded & ~0x20)] : [folded];
}
