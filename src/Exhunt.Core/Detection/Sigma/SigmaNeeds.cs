using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>One literal a record must hold for a rule to match, and where: in a field (with its <see cref="FieldKey.Also"/>
/// readings), or — <see cref="Field"/> null — in any keyword value of the record.</summary>
internal readonly record struct NeedItem(FieldKey? Field, string Literal);

/// <summary>
/// A necessary condition of a compiled rule: it can match a record only if at least one of <see cref="Items"/> occurs
/// (ordinal ignore-case, anywhere in the value). Found by <see cref="SigmaNeeds.Of"/> over the AND/OR/NOT tree.
/// </summary>
internal sealed class Need(IReadOnlyList<NeedItem> items, Func<NeedItem, double>? chanceOf = null)
{
    public IReadOnlyList<NeedItem> Items { get; } = items;

    /// <summary>A rough chance that a record holds one of the literals (by default longer literals are rarer): used to
    /// pick the most selective need of an AND.</summary>
    public double Chance { get; } = Math.Min(1, items.Sum(chanceOf ?? ChanceOf));

    /// <summary>Longer literals are rarer; an HTTP method has a handful of values, so "GET" is common whatever its length.</summary>
    internal static double ChanceOf(NeedItem item) =>
        item.Field is { Kind: FieldKeyKind.Column, Code: (int)Field.Method } ? 0.5 : Math.Pow(4, -Math.Min(item.Literal.Length, 8));
}

/// <summary>
/// Necessary-literal analysis. Sound by construction: AND needs what its most selective child needs; OR (and
/// "N of", which needs at least one child true) needs one of its children's needs, so none when one child has none;
/// NOT, existence, null, negated (<c>neq</c>), regex, number, network and field-reference tests need nothing. Only
/// ASCII literals (without NUL) are used — a literal with other characters by its longest ASCII run — so the
/// prefilter's case folding is exact.
/// </summary>
internal static class SigmaNeeds
{
    /// <summary>The need of <paramref name="node"/> for the event prefilter (literals by their ASCII runs).</summary>
    public static Need? Of(SigmaNode node) => Of(node, AsciiRun);

    /// <summary>The need with each literal replaced by <paramref name="run"/>(literal), a part of it every holder of the
    /// literal holds too (null: none, so that test needs nothing).</summary>
    public static Need? Of(SigmaNode node, Func<string, string?> run) => Of(node, run, null);

    /// <summary>As <see cref="Of(SigmaNode, Func{string, string?})"/>, choosing the need of an AND by
    /// <paramref name="chance"/> (null: <see cref="Need.ChanceOf"/>).</summary>
    public static Need? Of(SigmaNode node, Func<string, string?> run, Func<NeedItem, double>? chance) => node switch
    {
        AndNode a => Best(a.Children.Select(c => Of(c, run, chance))),
        OrNode o => Union(o.Children.Select(c => Of(c, run, chance)), chance),
        CountNode c => c.AtLeast >= c.Children.Length ? Best(c.Children.Select(x => Of(x, run, chance)))
            : Union(c.Children.Select(x => Of(x, run, chance)), chance),
        FieldNode f => Field(f, run, chance),
        KeywordNode k => Values(null, k.Values, k.All, run, chance),
        _ => null,   // NotNode, ConstNode
    };

    private static Need? Field(FieldNode f, Func<string, string?> run, Func<NeedItem, double>? chance)
    {
        if (f.Exists is not null || f.IsNull || f.MatchWhenAbsent || f.Values.Length == 0) return null;
        return Values(f.Key, f.Values, f.All, run, chance);
    }

    /// <summary>OR'ed value tests need one of their literals; with <c>all</c> (AND) the most selective test's.</summary>
    private static Need? Values(FieldKey? key, ValueMatcher[] values, bool all, Func<string, string?> run, Func<NeedItem, double>? chance)
    {
        var needs = values.Select(v => v.Literals is { Count: > 0 } list && list.Select(run).ToList() is var runs && runs.All(r => r is not null)
            ? new Need(runs.Distinct(StringComparer.OrdinalIgnoreCase).Select(l => new NeedItem(key, l!)).ToList(), chance) : null);
        return all ? Best(needs) : Union(needs, chance);
    }

    public static bool Usable(string literal) => literal.Length > 0 && AsciiRun(literal)?.Length == literal.Length;

    /// <summary>The longest run of the literal without non-ASCII characters or NUL (a value holding the literal holds
    /// every run of it: ordinal ignore-case compares character by character), or null when there is none.</summary>
    public static string? AsciiRun(string literal)
    {
        int best = 0, bestStart = 0, start = 0;
        for (var i = 0; i <= literal.Length; i++)
        {
            if (i < literal.Length && literal[i] is not '\0' and <= '\x7f') continue;
            if (i - start > best) { best = i - start; bestStart = start; }
            start = i + 1;
        }
        return best == 0 ? null : best == literal.Length ? literal : literal.Substring(bestStart, best);
    }

    private static Need? Best(IEnumerable<Need?> needs) =>
        needs.Where(n => n is not null).MinBy(n => n!.Chance);

    private static Need? Union(IEnumerable<Need?> needs, Func<NeedItem, double>? chance)
    {
        var items = new List<NeedItem>();
        foreach (var n in needs)
        {
            if (n is null) return null;
            items.AddRange(n.Items);
        }
        return items.Count == 0 ? null : new Need(items, chance);
    }
}
