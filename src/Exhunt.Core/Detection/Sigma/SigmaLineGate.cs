namespace Exhunt.Detection.Sigma;

/// <summary>
/// Which webserver rules a line found by the line needles can concern: one pass over the raw line for the group's
/// needles (<see cref="LiteralAutomaton"/>), then only the rules owning a needle it holds are evaluated — not every rule
/// of the kind, and without searching each field first. Exact: a rule can match a line only if a field holds one of its
/// necessary literals, the raw line then holds that literal's raw run (<see cref="StringMatcher.RawRun"/>), and every
/// raw run holds one of the needles the rule owns.
/// </summary>
internal sealed class SigmaLineGate
{
    private sealed class Scratch(int rules)
    {
        public readonly int[] Stamp = new int[rules];
        public int Generation;
    }

    private struct Sink : IHitSink
    {
        public int[] Stamp;
        public int[][] RulesOfNeedle;
        public int Generation;

        public void Hit(int literal)
        {
            foreach (var r in RulesOfNeedle[literal]) Stamp[r] = Generation;
        }
    }

    private readonly LiteralAutomaton _automaton;
    private readonly int[][] _rulesOfNeedle;
    private readonly ThreadLocal<Scratch> _scratch;

    private SigmaLineGate(LiteralAutomaton automaton, int[][] rulesOfNeedle, int rules)
    {
        _automaton = automaton;
        _rulesOfNeedle = rulesOfNeedle;
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(rules));
    }

    /// <summary>The gate for <paramref name="needles"/>, where <paramref name="rawLiterals"/>[i] are rule i's raw-line
    /// literals (each holding one of the needles); null when a needle cannot go into the automaton (not ASCII).</summary>
    public static SigmaLineGate? Build(IReadOnlyList<string> needles, IReadOnlyList<IReadOnlyList<string>?> rawLiterals)
    {
        if (!needles.All(SigmaNeeds.Usable) || needles.Distinct(StringComparer.OrdinalIgnoreCase).Count() != needles.Count) return null;
        var rulesOfNeedle = needles.Select(n => Enumerable.Range(0, rawLiterals.Count)
            .Where(r => rawLiterals[r]?.Any(l => l.Contains(n, StringComparison.OrdinalIgnoreCase)) == true).ToArray()).ToArray();
        return new SigmaLineGate(new LiteralAutomaton(needles), rulesOfNeedle, rawLiterals.Count);
    }

    /// <summary>Searches the raw line; afterwards rule i may match only if <c>stamps[i] == generation</c>.</summary>
    public void Scan(ReadOnlySpan<char> line, out int[] stamps, out int generation)
    {
        var scratch = _scratch.Value!;
        if (++scratch.Generation == int.MaxValue)
        {
            Array.Clear(scratch.Stamp);
            scratch.Generation = 1;
        }
        var sink = new Sink { Stamp = scratch.Stamp, RulesOfNeedle = _rulesOfNeedle, Generation = scratch.Generation };
        _automaton.Search(line, ref sink);
        stamps = scratch.Stamp;
        generation = scratch.Generation;
    }
}
