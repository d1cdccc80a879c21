namespace Exhunt.Detection;

/// <summary>
/// The log rules of one kind and the lines each gets. A rule with needles gets only lines holding one of the kind's
/// needles; a rule without (<see cref="ILogRule.LineNeedles"/> null, or an empty needle, which would match every line
/// anyway) gets every line. So one rule that must see everything no longer switches the prefilter off for the others.
/// </summary>
public sealed class LogRoute
{
    private LogRoute(ILogRule[] rules, bool[] everyLine, LinePrefilter? prefilter)
    {
        Rules = rules;
        EveryLine = everyLine;
        Prefilter = prefilter;
        HasEveryLineRule = everyLine.Any(x => x);
    }

    /// <summary>Every rule of the kind, in rule-set order.</summary>
    public ILogRule[] Rules { get; }

    /// <summary>Per rule: whether it gets every line (it declares no usable needles).</summary>
    public bool[] EveryLine { get; }

    /// <summary>The union of the needles of the rules that declare them; null when none does.</summary>
    public LinePrefilter? Prefilter { get; }

    public bool HasEveryLineRule { get; }

    /// <summary>The rules that get every line.</summary>
    public IEnumerable<ILogRule> EveryLineRules => Rules.Where((_, i) => EveryLine[i]);

    internal static LogRoute Build(ILogRule[] rules)
    {
        var needles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var everyLine = new bool[rules.Length];
        var anyNeedles = false;
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i].LineNeedles is not { } list || list.Any(string.IsNullOrEmpty))
            {
                everyLine[i] = true;
                continue;
            }
            anyNeedles = true;
            needles.UnionWith(list);
        }
        return new LogRoute(rules, everyLine, anyNeedles ? new LinePrefilter(needles) : null);
    }
}
