using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>
/// Resolves loaded correlation rules against the rules of the same load (by id or name, in any file of the set,
/// correlations joining correlations too) and accounts for each: loaded, or rejected with the reason (a rule it
/// joins is missing, rejected or has a log source exhunt does not read; a chain loops; a group-by field a chained
/// correlation does not group by). Decides which joined rules make findings of their own (<c>generate</c>).
/// </summary>
internal static class SigmaCorrelationPlanner
{
    private const int MaxChainDepth = 8;

    public static SigmaCorrelationEngine? Plan(List<SigmaCorrelation> correlations, List<SigmaRule> rules, HashSet<SigmaRule> loaded,
        HashSet<SigmaRule> unsupported, IReadOnlyList<CompiledSigmaRule> compiled, SigmaLoadReport report,
        Func<LogTarget, Func<string, FieldKey>> resolver)
    {
        if (correlations.Count == 0) return null;
        var rejectedById = report.Rejected.Where(r => r.Id.Length > 0)
            .GroupBy(r => r.Id, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Reason, StringComparer.OrdinalIgnoreCase);
        var verdicts = new Dictionary<SigmaCorrelation, string?>();
        var visiting = new HashSet<SigmaCorrelation>();
        var order = new List<SigmaCorrelation>();
        var targets = new Dictionary<SigmaCorrelation, object[]>();

        string? Check(SigmaCorrelation c, int depth)
        {
            if (verdicts.TryGetValue(c, out var known)) return known;
            if (depth > MaxChainDepth) return $"correlation chain deeper than {MaxChainDepth}";
            if (!visiting.Add(c)) return "correlation chain loops";
            var resolved = new object[c.Rules.Count];
            var reason = Resolve(c, depth, resolved);
            visiting.Remove(c);
            verdicts[c] = reason;
            if (reason is null)
            {
                order.Add(c);
                targets[c] = resolved;
            }
            return reason;
        }

        string? Resolve(SigmaCorrelation c, int depth, object[] resolved)
        {
            for (var pos = 0; pos < c.Rules.Count; pos++)
            {
                var name = c.Rules[pos];
                var byRule = rules.Where(r => Names(r.Id, r.Name, name)).ToList();
                var byCorrelation = correlations.Where(x => Names(x.Id, x.Name, name)).ToList();
                if (byRule.Count > 0 && byCorrelation.Count > 0) return $"'{name}' names both a rule and a correlation";
                if (byCorrelation.Count > 1) return $"'{name}' names {byCorrelation.Count} correlations";
                if (byCorrelation.Count == 1)
                {
                    var child = byCorrelation[0];
                    if (Check(child, depth + 1) is { } why) return $"joins correlation '{name}', which is rejected: {why}";
                    foreach (var g in c.GroupBy.Append(c.Field).OfType<string>())
                        if (!child.GroupBy.Contains(FieldAt(c, pos, g, child.Id, child.Name), StringComparer.OrdinalIgnoreCase))
                            return $"uses '{g}', which correlation '{name}' does not group by";
                    resolved[pos] = child;
                    continue;
                }
                var usable = byRule.Where(loaded.Contains).ToList();
                if (usable.Count > 0)
                {
                    resolved[pos] = usable;
                    continue;
                }
                if (byRule.Any(unsupported.Contains)) return $"joins rule '{name}', whose log source exhunt does not read";
                var id = byRule.FirstOrDefault()?.Id is { Length: > 0 } rid ? rid : name;
                if (rejectedById.TryGetValue(id, out var rejected)) return $"joins rule '{name}', which is rejected: {rejected}";
                return $"joins rule '{name}', which is not among the rules loaded";
            }
            return null;
        }

        foreach (var c in correlations)
        {
            if (Check(c, 0) is { } reason) report.Rejected.Add(new SigmaReject(c.Path, c.Id, reason));
            else
            {
                report.Loaded++;
                report.Correlations++;
            }
        }
        if (order.Count == 0) return null;

        var compiledByRule = compiled.GroupBy(cr => cr.Rule)
            .ToDictionary(g => g.Key, g => g.ToList());
        var plans = new Dictionary<SigmaCorrelation, CorrelationPlan>();
        var feeds = new Dictionary<CompiledSigmaRule, List<CorrelationFeed>>();
        var joinedBy = new Dictionary<object, List<CorrelationPlan>>();
        foreach (var c in order)
        {
            var levels = new List<string>();
            var plan = new CorrelationPlan { Rule = c, Index = plans.Count };
            for (var pos = 0; pos < c.Rules.Count; pos++)
            {
                if (targets[c][pos] is SigmaCorrelation child)
                {
                    var childPlan = plans[child];
                    levels.Add(childPlan.Info.Severity.ToString().ToLowerInvariant());
                    var groupFrom = c.GroupBy.Select(g => IndexOf(child.GroupBy, FieldAt(c, pos, g, child.Id, child.Name))).ToArray();
                    var valueFrom = c.Field is { } f ? IndexOf(child.GroupBy, FieldAt(c, pos, f, child.Id, child.Name)) : -1;
                    childPlan.Parents.Add((plan, pos, groupFrom, valueFrom));
                    Joined(joinedBy, child).Add(plan);
                    continue;
                }
                foreach (var rule in (List<SigmaRule>)targets[c][pos])
                {
                    levels.Add(rule.Level);
                    Joined(joinedBy, rule).Add(plan);
                    foreach (var cr in compiledByRule.GetValueOrDefault(rule) ?? [])
                    {
                        var resolve = resolver(cr.Target);
                        var group = c.GroupBy.Select(g => resolve(FieldAt(c, pos, g, rule.Id, rule.Name))).ToArray();
                        FieldKey? value = c.Field is { } f ? resolve(FieldAt(c, pos, f, rule.Id, rule.Name)) : null;
                        if (!feeds.TryGetValue(cr, out var list)) feeds[cr] = list = new List<CorrelationFeed>();
                        list.Add(new CorrelationFeed(plan, pos, group, value));
                    }
                }
            }
            var level = c.Level.Length > 0 ? c.Level : levels.MaxBy(Rank) ?? "";
            var meta = new SigmaRule { Path = c.Path, Id = c.Id, Name = c.Name, Title = c.Title, Level = level, Tags = c.Tags };
            plan.Info = SigmaRuleInfo.For(meta);
            plans[c] = plan;
        }
        foreach (var (target, by) in joinedBy)
        {
            var generates = by.Any(p => p.Rule.Generate);
            if (target is SigmaRule r) r.Generates = generates;
            else if (target is SigmaCorrelation sc) plans[sc].Generates = generates;
        }
        return new SigmaCorrelationEngine(order.Select(c => plans[c]).ToList(), feeds.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));
    }

    private static List<CorrelationPlan> Joined(Dictionary<object, List<CorrelationPlan>> map, object target)
    {
        if (!map.TryGetValue(target, out var list)) map[target] = list = new List<CorrelationPlan>();
        return list;
    }

    private static int Rank(string level) => level switch
    {
        "critical" => 5, "high" => 4, "medium" => 3, "low" => 2, "informational" or "info" => 1, _ => 0,
    };

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i].Equals(name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>The field a group-by name (or the value_count field) stands for in the records of one joined rule:
    /// the alias's field for that rule, else the name itself.</summary>
    private static string FieldAt(SigmaCorrelation c, int pos, string name, string id, string? ruleName)
    {
        if (!c.Aliases.TryGetValue(name, out var perRule)) return name;
        foreach (var (key, field) in perRule)
            if (key.Equals(c.Rules[pos], StringComparison.OrdinalIgnoreCase) || Names(id, ruleName, key)) return field;
        return name;
    }

    private static bool Names(string id, string? name, string reference) =>
        (id.Length > 0 && reference.Equals(id, StringComparison.OrdinalIgnoreCase))
        || (name is { Length: > 0 } && reference.Equals(name, StringComparison.OrdinalIgnoreCase));
}
