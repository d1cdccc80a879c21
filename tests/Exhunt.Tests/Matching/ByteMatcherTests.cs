using System.Text;
using Exhunt.Matching;

namespace Exhunt.Tests.Matching;

/// <summary>The byte matcher against a naive search: random literal sets and haystacks, every match and which literal.</summary>
public sealed class ByteMatcherTests
{
    // Letters in both cases, and the non-letters that differ from a letter by 0x20 only ('@' '`' '[' '{' ...), which must not fold.
    private const string Alphabet = "aAbBzZsS@`[{]}~_^-/%.:, 0\u007f";

    private static bool Fold(byte h, byte l) =>
        h == l || ((uint)((h | 0x20) - 'a') <= 'z' - 'a' && (h | 0x20) == (l | 0x20));

    private static List<(int, int)> Naive(byte[] hay, string[] literals)
    {
        var all = new List<(int, int)>();
        for (var p = 0; p < hay.Length; p++)
            for (var l = 0; l < literals.Length; l++)
            {
                var lit = literals[l];
                if (p + lit.Length > hay.Length) continue;
                var k = 0;
                while (k < lit.Length && Fold(hay[p + k], (byte)lit[k])) k++;
                if (k == lit.Length) all.Add((p, l));
            }
        return all;
    }

    private static string RandomLiteral(Random rng)
    {
        var len = rng.Next(10) switch { 0 => 1, 1 => 2, 2 => 3, 3 => rng.Next(20, 70), _ => rng.Next(1, 9) };
        var sb = new StringBuilder();
        for (var i = 0; i < len; i++) sb.Append(Alphabet[rng.Next(Alphabet.Length)]);
        return sb.ToString();
    }

    private static string Flip(string s, Random rng) =>
        new(s.Select(c => char.IsAsciiLetter(c) && rng.Next(2) == 0 ? (char)(c ^ 0x20) : c).ToArray());

    /// <summary>Each vector width the search has (512: every pass in one walk; 256, 128; 0: scalar tables), on this CPU
    /// as far as it has them.</summary>
    public static TheoryData<int> Widths => new() { 512, 256, 128, 0 };

    private static void WithWidth(int bits, Action test)
    {
        var before = ByteMatcher.MaxVectorBits;
        ByteMatcher.MaxVectorBits = bits;
        try { test(); }
        finally { ByteMatcher.MaxVectorBits = before; }
    }

    [Theory, MemberData(nameof(Widths))]
    public void Finds_every_match_and_literal_that_a_naive_search_finds(int bits) => WithWidth(bits, () =>
    {
        var rng = new Random(20261206 + bits);
        for (var round = 0; round < 400; round++)
        {
            var literals = Enumerable.Range(0, rng.Next(1, round % 7 == 0 ? 120 : 20)).Select(_ => RandomLiteral(rng)).ToList();
            // Duplicates and case variants of earlier literals.
            for (var d = rng.Next(3); d > 0; d--) literals.Add(Flip(literals[rng.Next(literals.Count)], rng));
            if (rng.Next(4) == 0) literals.Add(literals[0]);
            var set = literals.ToArray();
            var matcher = new ByteMatcher(set);
            // Lengths around the vector widths, so literals straddle 16- and 32-byte steps and the scalar tail.
            var n = rng.Next(5) == 0 ? rng.Next(0, 70) : rng.Next(0, 3000);
            var hay = new byte[n];
            for (var i = 0; i < n; i++)
                hay[i] = rng.Next(4) == 0 ? (byte)rng.Next(256) : (byte)Alphabet[rng.Next(Alphabet.Length)];
            // Plant literals (case flipped) at random places, including the very end.
            for (var k = rng.Next(6); k > 0 && n > 0; k--)
            {
                var lit = Flip(set[rng.Next(set.Length)], rng);
                var at = k == 1 ? Math.Max(0, n - lit.Length) : rng.Next(n);
                for (var j = 0; j < lit.Length && at + j < n; j++) hay[at + j] = (byte)lit[j];
            }
            Assert.Equal(Naive(hay, set), matcher.FindAll(hay));
        }
    });

    [Theory, MemberData(nameof(Widths))]
    public void Digit_led_literals_in_digit_heavy_text_and_short_literals_at_the_end(int bits) => WithWidth(bits, () =>
    {
        // IP-address literals among timestamps and addresses (the case the bucket plan is about), plus two- and
        // three-byte literals that fit only in the last positions, where a four-byte fingerprint does not.
        var rng = new Random(11 + bits);
        const string Digits = "0123456789.:-,TZ /";
        for (var round = 0; round < 300; round++)
        {
            var set = Enumerable.Range(0, rng.Next(1, 90)).Select(_ => rng.Next(4) switch
            {
                0 => $"{rng.Next(256)}.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(256)}",
                1 => new string(Enumerable.Range(0, rng.Next(2, 4)).Select(_ => Digits[rng.Next(Digits.Length)]).ToArray()),
                _ => RandomLiteral(rng),
            }).ToArray();
            var matcher = new ByteMatcher(set);
            var n = rng.Next(0, 400);
            var hay = new byte[n];
            for (var i = 0; i < n; i++) hay[i] = (byte)Digits[rng.Next(Digits.Length)];
            if (n > 0)
            {
                var lit = Flip(set[rng.Next(set.Length)], rng);
                var at = Math.Max(0, n - lit.Length);
                for (var j = 0; j < lit.Length && at + j < n; j++) hay[at + j] = (byte)lit[j];
            }
            Assert.Equal(Naive(hay, set), matcher.FindAll(hay));
        }
    });

    [Theory, MemberData(nameof(Widths))]
    public void Line_search_marks_exactly_the_lines_that_hold_a_literal(int bits) => WithWidth(bits, () =>
    {
        var rng = new Random(7 + bits);
        for (var round = 0; round < 200; round++)
        {
            var set = Enumerable.Range(0, rng.Next(1, round % 5 == 0 ? 100 : 40)).Select(_ => RandomLiteral(rng)).ToArray();
            var lines = new LineLiterals(set);
            var sb = new StringBuilder();
            for (var l = rng.Next(1, 60); l > 0; l--)
            {
                for (var c = rng.Next(0, 120); c > 0; c--) sb.Append(Alphabet[rng.Next(Alphabet.Length)]);
                if (rng.Next(3) == 0) sb.Append(Flip(set[rng.Next(set.Length)], rng));
                sb.Append(rng.Next(3) == 0 ? "\r\n" : "\n");
            }
            var hay = Encoding.ASCII.GetBytes(sb.ToString());
            var hits = new List<int>();
            lines.FindLines(hay, hits);
            var naive = Naive(hay, set);
            var lineStart = 0;
            foreach (var line in sb.ToString().Split('\n'))
            {
                var end = lineStart + line.Length;
                var holds = naive.Any(m => m.Item1 >= lineStart && m.Item1 + set[m.Item2].Length <= end);
                Assert.Equal(holds, hits.Any(h => h >= lineStart && h < end));
                var seen = new bool[set.Length];
                lines.Mark(hay.AsSpan(lineStart, line.Length), seen);
                for (var l = 0; l < set.Length; l++)
                    Assert.Equal(naive.Any(m => m.Item2 == l && m.Item1 >= lineStart && m.Item1 + set[l].Length <= end), seen[l]);
                lineStart = end + 1;
            }
            Assert.Equal(hits.OrderBy(h => h), hits);
        }
    });

    [Fact]
    public void Literals_that_are_not_plain_ascii_are_refused_and_the_route_falls_back()
    {
        Assert.Throws<ArgumentException>(() => new ByteMatcher(["caf\u00e9"]));
        Assert.Throws<ArgumentException>(() => new ByteMatcher([""]));
        Assert.False(LineLiterals.Supports(["a\nb"]));
        Assert.True(LineLiterals.Supports(["ServerInfo~", "%"]));
    }
}
