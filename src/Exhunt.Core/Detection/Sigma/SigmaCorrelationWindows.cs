namespace Exhunt.Detection.Sigma;

/// <summary>One record a correlation hit joined: where it is and which rule matched it.</summary>
public readonly record struct JoinedRecord(string Artifact, long? Line, long? Record, DateTime Time, string Rule)
{
    /// <summary>"artifact:line" for log lines, "artifact#record" for events.</summary>
    public override string ToString() => Line is { } l ? $"{Artifact}:{l}" : Record is { } r ? $"{Artifact}#{r}" : Artifact;
}

/// <summary>A match of a rule a correlation joins, kept compact until the correlation is evaluated after the scan:
/// a base-rule match (one record) or, for chained correlations, a hit of the correlation joined (its records).</summary>
internal sealed class CorrelationMatch
{
    public required int Position { get; init; }
    public required DateTime Time { get; init; }
    /// <summary>The host the record names (event Computer, log server field, collection host); resolved after the scan.</summary>
    public string? Host { get; set; }
    public required string Artifact { get; init; }
    public long? Line { get; init; }
    public long? Record { get; init; }
    public required string?[] Group { get; init; }
    public string? Value { get; init; }
    public required string Rule { get; init; }
    /// <summary>Chained correlations only: the records of the hit this match stands for.</summary>
    public IReadOnlyList<JoinedRecord>? Joined { get; init; }
    public int JoinedCount { get; init; } = 1;

    public IEnumerable<JoinedRecord> Records() => Joined ?? [new JoinedRecord(Artifact, Line, Record, Time, Rule)];
}

/// <summary>
/// Evaluates one correlation over the matches of one group (one host and one set of group-by values), sorted by time.
/// Windows start at each match and reach <see cref="SigmaCorrelation.Timespan"/> after it (inclusive); any window of
/// that length holding a set of matches can be moved to start at its first match, so no hit is missed. A window
/// whose count meets the condition is one hit with every match in it, and the next window starts after it (a burst
/// of 500 failed logons is one hit listing 500 records, not 490 overlapping hits).
/// <list type="bullet">
/// <item>event_count: the number of matches in the window;</item>
/// <item>value_count: the number of distinct values of the condition field in the window;</item>
/// <item>temporal: the number of distinct rules matched in the window (default condition: all of them);</item>
/// <item>temporal_ordered: the length of the longest prefix of the rule list matched in order from a match of the
/// first rule (ties in time count as in order; default condition: all of them). The hit lists that chain.</item>
/// </list>
/// </summary>
internal static class SigmaCorrelationWindows
{
    public static List<(List<CorrelationMatch> Members, long Count)> Hits(List<CorrelationMatch> sorted, SigmaCorrelation rule)
    {
        var positions = rule.Rules.Count;
        var bounds = rule.Condition.Count > 0 ? rule.Condition : [new CorrelationBound("gte", positions)];
        bool Holds(long n) => bounds.All(b => b.Holds(n));
        return rule.Type == SigmaCorrelationType.TemporalOrdered
            ? Ordered(sorted, rule.Timespan, positions, Holds)
            : Windowed(sorted, rule.Type, rule.Timespan, positions, Holds);
    }

    private static List<(List<CorrelationMatch>, long)> Windowed(List<CorrelationMatch> l, SigmaCorrelationType type, TimeSpan span,
        int positions, Func<long, bool> holds)
    {
        var hits = new List<(List<CorrelationMatch>, long)>();
        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        var perRule = new int[positions];
        var distinctRules = 0;
        long events = 0;
        var j = 0;
        for (var i = 0; i < l.Count;)
        {
            if (j < i) j = i;
            while (j < l.Count && l[j].Time - l[i].Time <= span)
            {
                Add(l[j]);
                j++;
            }
            long count = type switch
            {
                SigmaCorrelationType.EventCount => events,
                SigmaCorrelationType.ValueCount => values.Count,
                _ => distinctRules,
            };
            if (holds(count))
            {
                hits.Add((l.GetRange(i, j - i), count));
                values.Clear();
                Array.Clear(perRule);
                distinctRules = 0;
                events = 0;
                i = j;
            }
            else
            {
                Remove(l[i]);
                i++;
            }
        }
        return hits;

        void Add(CorrelationMatch m)
        {
            events++;
            if (m.Value is { } v) values[v] = values.GetValueOrDefault(v) + 1;
            if (perRule[m.Position]++ == 0) distinctRules++;
        }

        void Remove(CorrelationMatch m)
        {
            events--;
            if (m.Value is { } v && --values[v] == 0) values.Remove(v);
            if (--perRule[m.Position] == 0) distinctRules--;
        }
    }

    private static List<(List<CorrelationMatch>, long)> Ordered(List<CorrelationMatch> l, TimeSpan span, int positions, Func<long, bool> holds)
    {
        var hits = new List<(List<CorrelationMatch>, long)>();
        for (var i = 0; i < l.Count; i++)
        {
            if (l[i].Position != 0) continue;
            var chain = new List<CorrelationMatch> { l[i] };
            var last = i;
            for (var k = i + 1; k < l.Count && chain.Count < positions && l[k].Time - l[i].Time <= span; k++)
                if (l[k].Position == chain.Count && !SameRecord(l[k], chain[^1]))
                {
                    chain.Add(l[k]);
                    last = k;
                }
            if (!holds(chain.Count)) continue;
            hits.Add((chain, chain.Count));
            i = last;
        }
        return hits;
    }

    /// <summary>A rule listed twice in a sequence matches each record once per listing: one record is not two steps.</summary>
    private static bool SameRecord(CorrelationMatch a, CorrelationMatch b) =>
        a.Joined is null && b.Joined is null && a.Line == b.Line && a.Record == b.Record && a.Time == b.Time
        && string.Equals(a.Artifact, b.Artifact, StringComparison.Ordinal);
}
