using System.Buffers;

namespace Exhunt.Detection;

/// <summary>
/// Whether a raw log line holds any of a set of literals (ordinal ignore-case). The set is searched in groups of a
/// few: one <see cref="SearchValues{T}"/> over dozens of short needles falls back to a slow general matcher (or
/// verifies too many candidates), while small groups stay on the vectorised path.
/// </summary>
public sealed class LinePrefilter
{
    public static int GroupSize { get; set; } = 16;

    private readonly SearchValues<string>[] _groups;
    private readonly int _longest;
    private readonly SearchValues<char> _chars;
    private readonly bool _hasChars;

    public LinePrefilter(IEnumerable<string> needles)
    {
        // An empty set matches nothing: every line of the kind is counted and skipped.
        // A needle that holds another adds nothing: the shorter one finds every line the longer would.
        var all = needles.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        Needles = all.Where(n => !all.Any(o => o.Length < n.Length && n.Contains(o, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
        // Single characters are searched on their own (a multi-string search needs two or more).
        _chars = SearchValues.Create(string.Concat(Needles.Where(n => n.Length == 1).Select(n => n.ToLowerInvariant() + n.ToUpperInvariant())));
        _hasChars = Needles.Any(n => n.Length == 1);
        _longest = Needles.Select(n => n.Length).DefaultIfEmpty(1).Max();
        _groups = Needles.Where(n => n.Length > 1).Chunk(Math.Max(1, GroupSize)).Select(g => SearchValues.Create(g, StringComparison.OrdinalIgnoreCase)).ToArray();
    }

    public IReadOnlyList<string> Needles { get; }

    public bool Matches(ReadOnlySpan<char> line)
    {
        if (_hasChars && line.ContainsAny(_chars)) return true;
        foreach (var g in _groups)
            if (line.ContainsAny(g)) return true;
        return false;
    }

    /// <summary>
    /// Adds to <paramref name="hits"/> where a needle starts in <paramref name="text"/> (many lines): at least the
    /// first hit of every line that has one, unsorted. One pass per group over the text.
    /// </summary>
    public void FindLines(ReadOnlySpan<char> text, List<int> hits)
    {
        if (_hasChars)
        {
            for (var pos = 0; pos < text.Length;)
            {
                var at = text[pos..].IndexOfAny(_chars);
                if (at < 0) break;
                pos = NextLine(text, hits, pos + at);
            }
        }
        foreach (var g in _groups)
        {
            for (var pos = 0; pos < text.Length;)
            {
                var at = text[pos..].IndexOfAny(g);
                if (at < 0) break;
                pos = NextLine(text, hits, pos + at);
            }
        }
    }

    /// <summary>Records a hit and returns where the line after it starts (past the end when there is none).</summary>
    private static int NextLine(ReadOnlySpan<char> text, List<int> hits, int at)
    {
        hits.Add(at);
        var nl = text[at..].IndexOf('\n');
        return nl < 0 ? text.Length : at + nl + 1;
    }
}
