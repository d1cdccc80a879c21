namespace Exhunt.Matching;

/// <summary>
/// The byte-level line prefilter: in a block of whole lines, where lines holding one of the literals start, and for
/// one such line, which literals it holds. A literal holds no line break, so a match lies within one line.
/// </summary>
public sealed class LineLiterals
{
    private readonly ByteMatcher _matcher;

    public LineLiterals(IReadOnlyList<string> literals) => _matcher = new ByteMatcher(literals);

    public IReadOnlyList<string> Literals => _matcher.Literals;

    /// <summary>Whether every literal can be searched as bytes (non-empty ASCII without NUL or a line break).</summary>
    public static bool Supports(IEnumerable<string> literals) =>
        literals.All(l => ByteMatcher.IsSupported(l) && l.IndexOfAny(['\n', '\r']) < 0);

    /// <summary>
    /// Adds to <paramref name="hits"/> a position of a match in every line of <paramref name="block"/> that holds one
    /// (at least one per such line, sorted; several per line possible). One search over the block; after a hit the
    /// search goes on at the next line.
    /// </summary>
    public void FindLines(ReadOnlySpan<byte> block, List<int> hits)
    {
        var sink = new LineSink { Hits = hits };
        var before = hits.Count;
        _matcher.Scan(block, ref sink);
        if (hits.Count - before > 1) hits.Sort(before, hits.Count - before, null);
    }

    /// <summary>Sets <paramref name="seen"/>[i] for every literal i that occurs in <paramref name="line"/> (others untouched).</summary>
    public void Mark(ReadOnlySpan<byte> line, bool[] seen)
    {
        var sink = new MarkSink { Seen = seen };
        _matcher.Scan(line, ref sink);
    }

    private struct LineSink : IMatchSink
    {
        public List<int> Hits;

        public int OnMatch(ReadOnlySpan<byte> hay, int position, int literal)
        {
            Hits.Add(position);
            var nl = hay[position..].IndexOf((byte)'\n');
            return nl < 0 ? hay.Length : position + nl + 1;
        }
    }

    private struct MarkSink : IMatchSink
    {
        public bool[] Seen;

        public int OnMatch(ReadOnlySpan<byte> hay, int position, int literal)
        {
            Seen[literal] = true;
            return -1;
        }
    }
}
