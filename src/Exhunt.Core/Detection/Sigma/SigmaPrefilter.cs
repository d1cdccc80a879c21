using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>
/// The event prefilter: every rule with a necessary literal set (<see cref="SigmaNeeds"/>) is evaluated only when a
/// record holds one of its literals in the right field. Per record, each field the record's rules read literals from
/// is searched once, by one Aho-Corasick pass over all literals of that field (<see cref="LiteralAutomaton"/>), which
/// marks the rules whose literal occurred. Rules without a necessary literal are always evaluated. Exact: a rule that
/// is skipped could not have matched.
/// </summary>
internal sealed class SigmaPrefilter
{
    private sealed class Source(FieldKey? key, LiteralAutomaton automaton, int[][] rulesOfLiteral, int offset)
    {
        /// <summary>The field (with its <see cref="FieldKey.Also"/> readings); null: every keyword value.</summary>
        public FieldKey? Key { get; } = key;
        public LiteralAutomaton Automaton { get; } = automaton;
        public int[][] RulesOfLiteral { get; } = rulesOfLiteral;
        /// <summary>Where this source's literal ids start in the one literal numbering.</summary>
        public int Offset { get; } = offset;
    }

    private sealed class Scratch(int literals, int rules)
    {
        public readonly int[] LiteralStamp = new int[literals];
        public readonly int[] RuleStamp = new int[rules];
        public int Generation;
    }

    private struct Sink : IHitSink
    {
        public int[] LiteralStamp;
        public int[] RuleStamp;
        public int[][] RulesOfLiteral;
        public int Offset;
        public int Generation;

        public void Hit(int literal)
        {
            ref var stamp = ref LiteralStamp[Offset + literal];
            if (stamp == Generation) return;
            stamp = Generation;
            foreach (var r in RulesOfLiteral[literal]) RuleStamp[r] = Generation;
        }
    }

    private readonly Source[] _sources;
    private readonly Dictionary<string, int> _sourceIds;
    private readonly int[][] _sourcesOfRule;
    private readonly int _literals;
    private readonly ThreadLocal<Scratch> _scratch;

    /// <summary>Per rule index: whether the rule has a necessary literal set (else it is always evaluated).</summary>
    public bool[] Gated { get; }

    public int LiteralCount => _literals;
    public int AutomatonStates => _sources.Sum(s => s.Automaton.States);

    /// <summary><paramref name="needs"/>[i]: the necessary literals of rule i, or null.</summary>
    public SigmaPrefilter(IReadOnlyList<Need?> needs)
    {
        Gated = needs.Select(n => n is not null).ToArray();
        _sourceIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<FieldKey?>();
        var literalIds = new List<Dictionary<string, int>>();
        var literalRules = new List<List<List<int>>>();
        var sourcesOfRule = new List<int>[needs.Count];
        for (var rule = 0; rule < needs.Count; rule++)
        {
            sourcesOfRule[rule] = new List<int>();
            if (needs[rule] is not { } need) continue;
            foreach (var item in need.Items)
            {
                var id = SourceId(item.Field);
                if (!_sourceIds.TryGetValue(id, out var source))
                {
                    source = keys.Count;
                    _sourceIds[id] = source;
                    keys.Add(item.Field);
                    literalIds.Add(new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase));
                    literalRules.Add(new List<List<int>>());
                }
                if (!sourcesOfRule[rule].Contains(source)) sourcesOfRule[rule].Add(source);
                if (!literalIds[source].TryGetValue(item.Literal, out var lit))
                {
                    lit = literalIds[source].Count;
                    literalIds[source][item.Literal] = lit;
                    literalRules[source].Add(new List<int>());
                }
                var list = literalRules[source][lit];
                if (list.Count == 0 || list[^1] != rule) list.Add(rule);
            }
        }
        _sources = new Source[keys.Count];
        var offset = 0;
        for (var s = 0; s < keys.Count; s++)
        {
            var literals = literalIds[s].OrderBy(kv => kv.Value).Select(kv => kv.Key).ToList();
            _sources[s] = new Source(keys[s], new LiteralAutomaton(literals), literalRules[s].Select(l => l.ToArray()).ToArray(), offset);
            offset += literals.Count;
        }
        _literals = offset;
        _sourcesOfRule = sourcesOfRule.Select(l => l.ToArray()).ToArray();
        var ruleCount = needs.Count;
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(offset, ruleCount));
    }

    /// <summary>Sources to search for a group of rules (a routing bucket), each once.</summary>
    public int[] SourcesFor(IEnumerable<int> rules) =>
        rules.SelectMany(r => _sourcesOfRule[r]).Distinct().Order().ToArray();

    /// <summary>Searches the record's values of <paramref name="sources"/>; afterwards a gated rule i may match only if
    /// <c>stamps[i] == generation</c>.</summary>
    public void Scan(IFieldSource view, int[] sources, out int[] stamps, out int generation)
    {
        var scratch = _scratch.Value!;
        if (++scratch.Generation == int.MaxValue)
        {
            Array.Clear(scratch.LiteralStamp);
            Array.Clear(scratch.RuleStamp);
            scratch.Generation = 1;
        }
        var sink = new Sink { LiteralStamp = scratch.LiteralStamp, RuleStamp = scratch.RuleStamp, Generation = scratch.Generation };
        foreach (var s in sources)
        {
            var source = _sources[s];
            sink.Offset = source.Offset;
            sink.RulesOfLiteral = source.RulesOfLiteral;
            if (source.Key is null)
            {
                var n = view.ValueCount;
                for (var i = 0; i < n; i++) source.Automaton.Search(view.ValueAt(i), ref sink);
            }
            else
            {
                for (var key = source.Key; key is not null; key = key.Also)
                    if (view.TryGet(key, out var value)) source.Automaton.Search(value, ref sink);
            }
        }
        stamps = scratch.RuleStamp;
        generation = scratch.Generation;
    }

    /// <summary>Keys that read the same value get one id (the name a rule used does not matter, the slot does).</summary>
    private static string SourceId(FieldKey? key)
    {
        if (key is null) return "*";
        var parts = new List<string>();
        for (var k = key; k is not null; k = k.Also)
            parts.Add(k.Kind switch
            {
                FieldKeyKind.Missing => "missing",
                FieldKeyKind.Data => $"data:{k.Code}",
                FieldKeyKind.StemAndQuery => "stem+query",
                _ => $"{k.Kind}:{k.Code}",
            });
        return string.Join("|", parts);
    }
}
