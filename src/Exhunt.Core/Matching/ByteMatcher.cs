using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Exhunt.Matching;

/// <summary>
/// Finds any of a set of ASCII literals in raw bytes, ASCII case-insensitive (letters fold by 0x20; no other byte
/// folds), and says which literal matched. Literals are dealt, in order of their leading bytes, into passes of a few dozen;
/// each set is searched with a Teddy-style packed nibble-mask filter (two 16-entry shuffle tables per fingerprint
/// byte give, for 32 positions at once, the buckets whose literals may start there), and each candidate is verified
/// against the literals of its buckets. Both cases of a letter are put in the tables, so the haystack is never folded.
/// </summary>
public sealed class ByteMatcher
{
    private const int Buckets = 8;
    /// <summary>Leading bytes a fingerprint takes: four keep digit-led literals (IP addresses) from matching every run of digits.</summary>
    private const int MaxFingerprint = 4;
    /// <summary>Literals per search pass (three per bucket): more would widen the buckets' nibble tables until much text passes them (24 and 32 equal on the built-in set; 32 is 0.6 s faster than 24 on 1 GB with the 86 SigmaHQ webserver rules, whose ~300 literals need fewer passes).</summary>
    public static int GroupSize { get; set; } = Environment.GetEnvironmentVariable("EXHUNT_TEDDY_GROUP") is { } g ? int.Parse(g) : 32;
    /// <summary>Widest vectors the search may use (512, 256, 128; 0: scalar tables only): lets tests cover every path on one CPU.</summary>
    internal static int MaxVectorBits { get; set; } = 512;
    private readonly string[] _literals;
    private readonly FingerprintSet[] _sets;
    private readonly int[] _singles;
    private readonly byte[] _singleBytes;
    private readonly SearchValues<byte> _singleSearch;

    public ByteMatcher(IReadOnlyList<string> literals)
    {
        _literals = literals.ToArray();
        var bytes = new byte[_literals.Length][];
        for (var i = 0; i < _literals.Length; i++)
        {
            var l = _literals[i];
            if (l.Length == 0 || !IsSupported(l)) throw new ArgumentException($"literal {i} is empty or not ASCII", nameof(literals));
            bytes[i] = new byte[l.Length];
            for (var j = 0; j < l.Length; j++) bytes[i][j] = Fold((byte)l[j]);
        }
        var sets = new List<FingerprintSet>();
        // Literals of two or more bytes are grouped into buckets of like leading bytes (BucketPlan), eight buckets per
        // pass, as many passes as GroupSize asks for; a pass fingerprints up to four leading bytes, and a literal
        // shorter than that accepts any byte past its end. One-byte literals are found with a plain vectorised IndexOfAny.
        var multi = Enumerable.Range(0, bytes.Length).Where(i => bytes[i].Length > 1).ToArray();
        if (multi.Length > 0)
        {
            var passes = (multi.Length + GroupSize - 1) / Math.Max(1, GroupSize);
            foreach (var groups in BucketPlan.Assign(multi, bytes, passes * Buckets).Chunk(Buckets))
                sets.Add(new FingerprintSet(Math.Min(MaxFingerprint, groups.Max(g => g.Max(i => bytes[i].Length))), groups, bytes));
        }
        _singles = Enumerable.Range(0, bytes.Length).Where(i => bytes[i].Length == 1).ToArray();
        _singleBytes = _singles.Select(i => bytes[i][0]).ToArray();
        _singleSearch = SearchValues.Create(_singleBytes.SelectMany(b => (uint)(b - 'a') <= 'z' - 'a' ? new[] { b, (byte)(b & ~0x20) } : [b]).Distinct().ToArray());
        _sets = sets.ToArray();
        if (_sets.Length is > 1 and <= MaxTogether)
        {
            // The tables of every pass for ScanTogether, made once (a wanted line is searched again on its own).
            _togetherLo = new Vector512<byte>[_sets.Length * MaxFingerprint];
            _togetherHi = new Vector512<byte>[_sets.Length * MaxFingerprint];
            for (var s = 0; s < _sets.Length; s++)
                for (var k = 0; k < MaxFingerprint; k++)
                {
                    // A pass with a shorter fingerprint accepts anything at the positions it does not have.
                    var l = k < _sets[s].M ? _sets[s].Lo(k) : Vector128<byte>.AllBitsSet;
                    var u = k < _sets[s].M ? _sets[s].Hi(k) : Vector128<byte>.AllBitsSet;
                    var l2 = Vector256.Create(l, l); _togetherLo[s * MaxFingerprint + k] = Vector512.Create(l2, l2);
                    var u2 = Vector256.Create(u, u); _togetherHi[s * MaxFingerprint + k] = Vector512.Create(u2, u2);
                }
        }
    }

    private readonly Vector512<byte>[]? _togetherLo, _togetherHi;

    /// <summary>Whether a literal can be searched: non-empty, ASCII, no NUL (the reader treats NUL lines as binary).</summary>
    public static bool IsSupported(string literal) => literal.Length > 0 && literal.All(c => c is > '\0' and < (char)0x80);

    public IReadOnlyList<string> Literals => _literals;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte Fold(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;

    /// <summary>
    /// Every match: the sink hears of every literal at every position where it occurs (overlaps included): one-byte
    /// literals first, then the others, in position order per pass (with 512-bit vectors all passes go together, in
    /// position order per 64 bytes, then per pass for the last few). When the sink returns a position after the
    /// current one, the search resumes there (e.g. the start of the next line); otherwise it goes on.
    /// </summary>
    public void Scan<TSink>(ReadOnlySpan<byte> hay, ref TSink sink) where TSink : struct, IMatchSink
    {
        if (_singles.Length > 0) ScanSingles(hay, ref sink);
        var from = 0;
        if (_sets.Length > 1 && Avx512BW.IsSupported && MaxVectorBits >= 512) from = ScanTogether(hay, ref sink);
        foreach (var set in _sets) set.Scan(hay, from, ref sink);
    }

    /// <summary>
    /// Every pass in one walk over the haystack, 64 bytes a step: the bytes are loaded and split into nibbles once,
    /// and each pass's tables applied to them (the shuffles are cheap; the loads, shifts and loop are paid once).
    /// Returns where the walk stopped; the passes finish from there on their own.
    /// </summary>
    private int ScanTogether<TSink>(ReadOnlySpan<byte> hay, ref TSink sink) where TSink : struct, IMatchSink
    {
        var sets = _sets;
        var count = sets.Length;
        var mMax = 0;
        foreach (var set in sets) mMax = Math.Max(mMax, set.M);
        var last = hay.Length - mMax;
        var i = 0;
        if (last + 1 < 64 || _togetherLo is null) return 0;
        var lo = _togetherLo!;
        var hi = _togetherHi!;
        Span<ulong> masks = stackalloc ulong[MaxTogether];
        Span<byte> spill = stackalloc byte[64 * MaxTogether];
        ref var h = ref MemoryMarshal.GetReference(hay);
        ref var spill0 = ref MemoryMarshal.GetReference(spill);
        var nib = Vector512.Create((byte)0x0F);
        while (i <= last + 1 - 64)
        {
            var v0 = Vector512.LoadUnsafe(ref h, (nuint)i);
            var v1 = mMax > 1 ? Vector512.LoadUnsafe(ref h, (nuint)(i + 1)) : default;
            var v2 = mMax > 2 ? Vector512.LoadUnsafe(ref h, (nuint)(i + 2)) : default;
            var v3 = mMax > 3 ? Vector512.LoadUnsafe(ref h, (nuint)(i + 3)) : default;
            Vector512<byte> l0 = v0 & nib, h0 = Vector512.ShiftRightLogical(v0.AsUInt16(), 4).AsByte() & nib;
            Vector512<byte> l1 = v1 & nib, h1 = Vector512.ShiftRightLogical(v1.AsUInt16(), 4).AsByte() & nib;
            Vector512<byte> l2 = v2 & nib, h2 = Vector512.ShiftRightLogical(v2.AsUInt16(), 4).AsByte() & nib;
            Vector512<byte> l3 = v3 & nib, h3 = Vector512.ShiftRightLogical(v3.AsUInt16(), 4).AsByte() & nib;
            ulong any = 0;
            for (var s = 0; s < count; s++)
            {
                var t = s * MaxFingerprint;
                var r = Avx512BW.Shuffle(lo[t], l0) & Avx512BW.Shuffle(hi[t], h0)
                    & Avx512BW.Shuffle(lo[t + 1], l1) & Avx512BW.Shuffle(hi[t + 1], h1)
                    & Avx512BW.Shuffle(lo[t + 2], l2) & Avx512BW.Shuffle(hi[t + 2], h2)
                    & Avx512BW.Shuffle(lo[t + 3], l3) & Avx512BW.Shuffle(hi[t + 3], h3);
                var mask = ~Vector512.Equals(r, Vector512<byte>.Zero).ExtractMostSignificantBits();
                masks[s] = mask;
                if (mask != 0)
                {
                    r.StoreUnsafe(ref spill0, (nuint)(s * 64));
                    any |= mask;
                }
            }
            var next = i + 64;
            while (any != 0)
            {
                var bit = BitOperations.TrailingZeroCount(any);
                var at = i + bit;
                any &= any - 1;
                var resume = -1;
                for (var s = 0; s < count && resume <= at; s++)
                {
                    if ((masks[s] >> bit & 1) == 0) continue;
                    resume = Math.Max(resume, sets[s].Verify(hay, at, spill[s * 64 + bit], ref sink));
                }
                if (resume > at)
                {
                    if (resume >= next) { next = resume; break; }
                    any &= ulong.MaxValue << (resume - i);
                }
            }
            i = next;
        }
        return i;
    }

    /// <summary>Passes <see cref="ScanTogether"/> takes at once (each costs eight shuffles per 64 bytes).</summary>
    private const int MaxTogether = 6;

    private void ScanSingles<TSink>(ReadOnlySpan<byte> hay, ref TSink sink) where TSink : struct, IMatchSink
    {
        var i = 0;
        while (i < hay.Length)
        {
            var at = hay[i..].IndexOfAny(_singleSearch);
            if (at < 0) return;
            at += i;
            var folded = Fold(hay[at]);
            var resume = -1;
            for (var j = 0; j < _singles.Length && resume <= at; j++)
                if (_singleBytes[j] == folded) resume = Math.Max(resume, sink.OnMatch(hay, at, _singles[j]));
            i = resume > at ? resume : at + 1;
        }
    }

    /// <summary>All matches, sorted by position then literal (for tests and small lines).</summary>
    public List<(int Position, int Literal)> FindAll(ReadOnlySpan<byte> hay)
    {
        var sink = new AllSink { All = new List<(int, int)>() };
        Scan(hay, ref sink);
        sink.All.Sort();
        return sink.All;
    }

    private struct AllSink : IMatchSink
    {
        public List<(int, int)> All;
        public int OnMatch(ReadOnlySpan<byte> hay, int position, int literal) { All.Add((position, literal)); return -1; }
    }

    /// <summary>Literals sharing one fingerprint length; 8 buckets of literals grouped by their leading bytes.</summary>
    private sealed class FingerprintSet
    {
        private readonly int _m;
        private readonly int[][] _bucketIds;
        private readonly byte[][] _bucketFold;     // per bucket: concatenated OR-masks (0x20 for letters)
        private readonly byte[][] _bucketBytes;    // per bucket: concatenated literal bytes
        private readonly int[][] _bucketStarts;
        private readonly uint[][] _bucketHeads, _bucketHeadFolds; // per bucket: first four bytes and their fold masks, as words
        private readonly byte[][] _scalar;         // per fingerprint byte: 256-entry bucket mask
        private readonly Vector128<byte>[] _lo, _hi;

        public FingerprintSet(int m, int[][] groups, byte[][] bytes)
        {
            _m = m;
            _bucketIds = new int[groups.Length][];
            _bucketBytes = new byte[groups.Length][];
            _bucketFold = new byte[groups.Length][];
            _bucketStarts = new int[groups.Length][];
            _bucketHeads = new uint[groups.Length][];
            _bucketHeadFolds = new uint[groups.Length][];
            _scalar = new byte[m][];
            var lo = new byte[m][];
            var hi = new byte[m][];
            for (var k = 0; k < m; k++) { _scalar[k] = new byte[256]; lo[k] = new byte[16]; hi[k] = new byte[16]; }
            for (var b = 0; b < groups.Length; b++)
            {
                var bit = (byte)(1 << b);
                _bucketIds[b] = groups[b];
                var starts = new int[groups[b].Length + 1];
                var all = new List<byte>();
                for (var j = 0; j < groups[b].Length; j++)
                {
                    var lit = bytes[groups[b][j]];
                    starts[j] = all.Count;
                    all.AddRange(lit);
                    for (var k = 0; k < m; k++)
                    {
                        // Past a short literal's end any byte will do: the candidate is verified in full.
                        foreach (var c in k < lit.Length ? BucketPlan.Variants(lit[k]) : AnyByte)
                        {
                            _scalar[k][c] |= bit;
                            lo[k][c & 15] |= bit;
                            hi[k][c >> 4] |= bit;
                        }
                    }
                }
                starts[^1] = all.Count;
                _bucketStarts[b] = starts;
                _bucketBytes[b] = all.ToArray();
                _bucketFold[b] = all.Select(c => (uint)(c - 'a') <= 'z' - 'a' ? (byte)0x20 : (byte)0).ToArray();
                // The first four bytes of each literal as a word; past a short literal's end, fold and byte 0xFF match anything.
                _bucketHeads[b] = new uint[groups[b].Length];
                _bucketHeadFolds[b] = new uint[groups[b].Length];
                for (var j = 0; j < groups[b].Length; j++)
                {
                    var lit = bytes[groups[b][j]];
                    for (var k = 0; k < 4; k++)
                    {
                        uint head = k < lit.Length ? lit[k] : 0xFFu, fold = k < lit.Length ? _bucketFold[b][starts[j] + k] : 0xFFu;
                        _bucketHeads[b][j] |= head << (8 * k);
                        _bucketHeadFolds[b][j] |= fold << (8 * k);
                    }
                }
            }
            _lo = lo.Select(t => Vector128.Create(t)).ToArray();
            _hi = hi.Select(t => Vector128.Create(t)).ToArray();
        }

        private static readonly byte[] AnyByte = Enumerable.Range(0, 256).Select(c => (byte)c).ToArray();

        public int M => _m;
        public Vector128<byte> Lo(int k) => _lo[k];
        public Vector128<byte> Hi(int k) => _hi[k];

        /// <summary>The matches from <paramref name="from"/> on, in position order.</summary>
        public void Scan<TSink>(ReadOnlySpan<byte> hay, int from, ref TSink onMatch) where TSink : struct, IMatchSink
        {
            var n = hay.Length;
            var last = n - _m; // last position a fingerprint fits
            var i = from;
            ref var h = ref MemoryMarshal.GetReference(hay);
            if (Avx512BW.IsSupported && MaxVectorBits >= 512 && last + 1 >= 64)
            {
                var nib = Vector512.Create((byte)0x0F);
                Span<byte> spill = stackalloc byte[64];
                Span<Vector512<byte>> lo = stackalloc Vector512<byte>[MaxFingerprint], hi = stackalloc Vector512<byte>[MaxFingerprint];
                for (var k = 0; k < _m; k++)
                {
                    var l = Vector256.Create(_lo[k], _lo[k]); var u = Vector256.Create(_hi[k], _hi[k]);
                    lo[k] = Vector512.Create(l, l); hi[k] = Vector512.Create(u, u);
                }
                Vector512<byte> lo0 = lo[0], hi0 = hi[0], lo1 = lo[1], hi1 = hi[1], lo2 = lo[2], hi2 = hi[2], lo3 = lo[3], hi3 = hi[3];
                while (i <= last + 1 - 64)
                {
                    var v = Vector512.LoadUnsafe(ref h, (nuint)i);
                    var r = Avx512BW.Shuffle(lo0, v & nib) & Avx512BW.Shuffle(hi0, Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                    if (_m > 1)
                    {
                        v = Vector512.LoadUnsafe(ref h, (nuint)(i + 1));
                        r &= Avx512BW.Shuffle(lo1, v & nib) & Avx512BW.Shuffle(hi1, Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                        if (_m > 2)
                        {
                            v = Vector512.LoadUnsafe(ref h, (nuint)(i + 2));
                            r &= Avx512BW.Shuffle(lo2, v & nib) & Avx512BW.Shuffle(hi2, Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                            if (_m > 3)
                            {
                                v = Vector512.LoadUnsafe(ref h, (nuint)(i + 3));
                                r &= Avx512BW.Shuffle(lo3, v & nib) & Avx512BW.Shuffle(hi3, Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                            }
                        }
                    }
                    var mask = ~Vector512.Equals(r, Vector512<byte>.Zero).ExtractMostSignificantBits();
                    var next = i + 64;
                    if (mask != 0) r.StoreUnsafe(ref MemoryMarshal.GetReference(spill));
                    while (mask != 0)
                    {
                        var at = i + BitOperations.TrailingZeroCount(mask);
                        mask &= mask - 1;
                        var resume = Verify(hay, at, spill[at - i], ref onMatch);
                        if (resume > at)
                        {
                            if (resume >= next) { next = resume; break; }
                            mask &= ulong.MaxValue << (resume - i);
                        }
                    }
                    i = next;
                }
            }
            if (Avx2.IsSupported && MaxVectorBits >= 256 && last + 1 - i >= 32)
            {
                var lo0 = Vector256.Create(_lo[0], _lo[0]); var hi0 = Vector256.Create(_hi[0], _hi[0]);
                var lo1 = _m > 1 ? Vector256.Create(_lo[1], _lo[1]) : default; var hi1 = _m > 1 ? Vector256.Create(_hi[1], _hi[1]) : default;
                var lo2 = _m > 2 ? Vector256.Create(_lo[2], _lo[2]) : default; var hi2 = _m > 2 ? Vector256.Create(_hi[2], _hi[2]) : default;
                var lo3 = _m > 3 ? Vector256.Create(_lo[3], _lo[3]) : default; var hi3 = _m > 3 ? Vector256.Create(_hi[3], _hi[3]) : default;
                var nib = Vector256.Create((byte)0x0F);
                while (i <= last + 1 - 32)
                {
                    var v = Vector256.LoadUnsafe(ref h, (nuint)i);
                    var r = Avx2.Shuffle(lo0, v & nib) & Avx2.Shuffle(hi0, Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                    if (_m > 1)
                    {
                        v = Vector256.LoadUnsafe(ref h, (nuint)(i + 1));
                        r &= Avx2.Shuffle(lo1, v & nib) & Avx2.Shuffle(hi1, Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                        if (_m > 2)
                        {
                            v = Vector256.LoadUnsafe(ref h, (nuint)(i + 2));
                            r &= Avx2.Shuffle(lo2, v & nib) & Avx2.Shuffle(hi2, Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                            if (_m > 3)
                            {
                                v = Vector256.LoadUnsafe(ref h, (nuint)(i + 3));
                                r &= Avx2.Shuffle(lo3, v & nib) & Avx2.Shuffle(hi3, Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                            }
                        }
                    }
                    var mask = ~Vector256.Equals(r, Vector256<byte>.Zero).ExtractMostSignificantBits();
                    var next = i + 32;
                    while (mask != 0)
                    {
                        var at = i + BitOperations.TrailingZeroCount(mask);
                        mask &= mask - 1;
                        var resume = Verify(hay, at, r.GetElement(at - i), ref onMatch);
                        if (resume > at)
                        {
                            if (resume >= next) { next = resume; break; }
                            mask &= resume - i >= 32 ? 0 : uint.MaxValue << (resume - i);
                        }
                    }
                    i = next;
                }
            }
            else if (Ssse3.IsSupported && MaxVectorBits >= 128 && last + 1 - i >= 16)
            {
                var nib = Vector128.Create((byte)0x0F);
                while (i <= last + 1 - 16)
                {
                    var r = Vector128<byte>.AllBitsSet;
                    for (var k = 0; k < _m; k++)
                    {
                        var v = Vector128.LoadUnsafe(ref h, (nuint)(i + k));
                        r &= Ssse3.Shuffle(_lo[k], v & nib) & Ssse3.Shuffle(_hi[k], Vector128.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nib);
                    }
                    var mask = ~Vector128.Equals(r, Vector128<byte>.Zero).ExtractMostSignificantBits() & 0xFFFF;
                    var next = i + 16;
                    while (mask != 0)
                    {
                        var at = i + BitOperations.TrailingZeroCount(mask);
                        mask &= mask - 1;
                        var resume = Verify(hay, at, r.GetElement(at - i), ref onMatch);
                        if (resume > at)
                        {
                            if (resume >= next) { next = resume; break; }
                            mask &= uint.MaxValue << (resume - i);
                        }
                    }
                    i = next;
                }
            }
            // Tail (and CPUs without the shuffles): the same tables, one position at a time.
            while (i <= last)
            {
                int bits = _scalar[0][hay[i]];
                if (_m > 1) bits &= _scalar[1][hay[i + 1]];
                if (_m > 2) bits &= _scalar[2][hay[i + 2]];
                if (_m > 3) bits &= _scalar[3][hay[i + 3]];
                if (bits == 0) { i++; continue; }
                var resume = Verify(hay, i, (byte)bits, ref onMatch);
                i = resume > i ? resume : i + 1;
            }
            // The last few positions, where a fingerprint no longer fits: only a literal shorter than it can start there.
            for (i = Math.Max(i, last + 1); i < n; i++)
            {
                var resume = Verify(hay, i, 0xFF, ref onMatch);
                if (resume > i) i = resume - 1;
            }
        }

        /// <summary>Checks the literals of the candidate buckets at <paramref name="at"/>; returns the largest resume position asked for (or -1).</summary>
        internal int Verify<TSink>(ReadOnlySpan<byte> hay, int at, byte buckets, ref TSink onMatch) where TSink : struct, IMatchSink
        {
            var resume = -1;
            while (buckets != 0)
            {
                var b = BitOperations.TrailingZeroCount(buckets);
                buckets &= (byte)(buckets - 1);
                if (b >= _bucketIds.Length) continue;
                var starts = _bucketStarts[b];
                var lits = _bucketBytes[b];
                var fold = _bucketFold[b];
                var ids = _bucketIds[b];
                var heads = _bucketHeads[b];
                var headFolds = _bucketHeadFolds[b];
                var whole = at + 4 <= hay.Length;
                var word = whole ? Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(hay), at)) : 0;
                for (var j = 0; j < ids.Length; j++)
                {
                    int s = starts[j], len = starts[j + 1] - s;
                    if (at + len > hay.Length) continue;
                    // Four bytes at once first (near the end of the haystack only literals shorter than four fit).
                    if (whole && (word | headFolds[j]) != heads[j]) continue;
                    var k = 0;
                    while (k < len && (hay[at + k] | fold[s + k]) == lits[s + k]) k++;
                    if (k < len) continue;
                    var r = onMatch.OnMatch(hay, at, ids[j]);
                    if (r > resume) resume = r;
                    if (resume > at) return resume; // the caller moves on: other literals here no longer matter
                }
            }
            return resume;
        }
    }
}

/// <summary>Receives the matches of <see cref="ByteMatcher.Scan"/>: returns where the search goes on (a position after
/// the match, e.g. the next line's start), or anything not after it to go on with every match.</summary>
public interface IMatchSink
{
    int OnMatch(ReadOnlySpan<byte> hay, int position, int literal);
}
