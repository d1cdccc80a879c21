using Exhunt.Matching;

namespace Exhunt.Detection;

/// <summary>
/// The log rules of one kind and the lines each gets. A rule with needles gets only lines holding one of the kind's
/// needles; a rule without (<see cref="ILogRule.LineNeedles"/> null, or an empty needle, which would match every line
/// anyway) gets every line. So one rule that must see everything no longer switches the prefilter off for the others.
/// </summary>
public sealed class LogRoute
{
    private LogRoute(ILogRule[] rules, bool[] everyLine, LinePrefilter? prefilter, LineLiterals? literals, int[][] owners)
    {
        Literals = literals;
        Owners = owners;
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

    /// <summary>Every needle of the kind (none dropped for holding another), for the byte-level block search; null when
    /// no rule declares needles or one is not plain ASCII (the char prefilter then does the work).</summary>
    public LineLiterals? Literals { get; }

    /// <summary>Per literal of <see cref="Literals"/>: the indexes of the rules that declare it.</summary>
    public int[][] Owners { get; }

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
        // Literals equal ignoring case are one literal owned by every rule that declares it.
        var literalIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var owners = new List<List<int>>();
        for (var i = 0; i < rules.Length; i++)
        {
            if (everyLine[i]) continue;
            foreach (var n in rules[i].LineNeedles!)
            {
                if (!literalIndex.TryGetValue(n, out var at)) { literalIndex[n] = at = owners.Count; owners.Add([]); }
                if (!owners[at].Contains(i)) owners[at].Add(i);
            }
        }
        var literals = literalIndex.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray();
        var byteLiterals = anyNeedles && LineLiterals.Supports(literals) ? new LineLiterals(literals) : null;
        return new LogRoute(rules, everyLine, anyNeedles ? new LinePrefilter(needles) : null, byteLiterals, owners.Select(o => o.ToArray()).ToArray());
    }
}
