using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>A compiled piece of a Sigma detection, evaluated against one record.</summary>
internal abstract class SigmaNode
{
    public abstract bool Eval(IFieldSource source);

    /// <summary>Relative cost, so cheap branches run first.</summary>
    public abstract int Cost { get; }

    // Which literals a matching record must hold: SigmaNeeds.
}

internal sealed class AndNode(SigmaNode[] children) : SigmaNode
{
    private readonly SigmaNode[] _children = children.OrderBy(c => c.Cost).ToArray();
    internal SigmaNode[] Children => _children;

    public override bool Eval(IFieldSource source)
    {
        foreach (var c in _children) if (!c.Eval(source)) return false;
        return true;
    }

    public override int Cost => _children.Length == 0 ? 0 : _children[0].Cost + _children.Length;

}

internal sealed class OrNode(SigmaNode[] children) : SigmaNode
{
    private readonly SigmaNode[] _children = children.OrderBy(c => c.Cost).ToArray();
    internal SigmaNode[] Children => _children;

    public override bool Eval(IFieldSource source)
    {
        foreach (var c in _children) if (c.Eval(source)) return true;
        return false;
    }

    public override int Cost => _children.Sum(c => c.Cost);

}

internal sealed class NotNode(SigmaNode inner) : SigmaNode
{
    internal SigmaNode Inner => inner;
    public override bool Eval(IFieldSource source) => !inner.Eval(source);
    public override int Cost => inner.Cost;
}

/// <summary><c>N of</c> / <c>all of</c> over named searches.</summary>
internal sealed class CountNode(SigmaNode[] children, int atLeast) : SigmaNode
{
    internal SigmaNode[] Children => children;
    internal int AtLeast => atLeast;
    public override bool Eval(IFieldSource source)
    {
        var hits = 0;
        foreach (var c in children)
            if (c.Eval(source) && ++hits >= atLeast) return true;
        return false;
    }

    public override int Cost => children.Sum(c => c.Cost);

}

internal sealed class ConstNode(bool value) : SigmaNode
{
    public override bool Eval(IFieldSource source) => value;
    public override int Cost => 0;
}

/// <summary>One field of a selection: its values (OR, or AND with <c>all</c>), or an existence / null test.</summary>
internal sealed class FieldNode : SigmaNode
{
    public required FieldKey Key { get; init; }
    public ValueMatcher[] Values { get; init; } = [];
    public bool All { get; init; }
    /// <summary>exists: true/false; null otherwise.</summary>
    public bool? Exists { get; init; }
    /// <summary>The value is YAML null: the field is absent or empty.</summary>
    public bool IsNull { get; init; }
    /// <summary><c>neq</c>: an absent field differs from every value.</summary>
    public bool MatchWhenAbsent { get; init; }

    public override bool Eval(IFieldSource source)
    {
        for (var key = Key; key is not null; key = key.Also)
            if (EvalOne(key, source)) return true;
        return false;
    }

    private bool EvalOne(FieldKey key, IFieldSource source)
    {
        var present = source.TryGet(key, out var value);
        if (Exists is { } e) return present == e;
        if (IsNull) return !present || value.IsEmpty;
        if (!present) return MatchWhenAbsent;
        if (All)
        {
            foreach (var m in Values) if (!m.Match(value, source)) return false;
            return true;
        }
        foreach (var m in Values) if (m.Match(value, source)) return true;
        return false;
    }

    public override int Cost => Values.Length == 0 ? 1 : (All ? Values.Min(v => v.Cost) : Values.Sum(v => v.Cost));

}

/// <summary>Keyword search: the values tested against every value of the record (any value matching is enough).</summary>
internal sealed class KeywordNode(ValueMatcher[] values, bool all) : SigmaNode
{
    internal ValueMatcher[] Values => values;
    internal bool All => all;
    public override bool Eval(IFieldSource source)
    {
        if (all)
        {
            foreach (var m in values)
                if (!AnyValue(m, source)) return false;
            return true;
        }
        foreach (var m in values)
            if (AnyValue(m, source)) return true;
        return false;
    }

    private static bool AnyValue(ValueMatcher m, IFieldSource source)
    {
        var n = source.ValueCount;
        for (var i = 0; i < n; i++)
            if (m.Match(source.ValueAt(i), source)) return true;
        return false;
    }

    public override int Cost => 5 * values.Sum(v => v.Cost);

}
