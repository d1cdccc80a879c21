using Exhunt.Detection.Sigma;
using Exhunt.Findings;

namespace Exhunt.Detection;

/// <summary>The detections a rule set reports under: what <c>exhunt rules</c> lists.</summary>
public static class RuleCatalog
{
    /// <summary>
    /// The detections of the rules a scan runs: the built-in ones (<see cref="BuiltInRules.Infos"/>) when the set holds
    /// built-in rules, and the loaded Sigma rules of every <see cref="SigmaRuleSet"/> in it. No reflection: this works
    /// the same in a trimmed or AOT build.
    /// </summary>
    public static IReadOnlyList<RuleInfo> Of(RuleSet set)
    {
        var infos = new List<RuleInfo>();
        var rules = set.All.ToList();
        if (rules.Any(r => r is not SigmaRuleSet and not SigmaWebRules && r.GetType().Assembly == typeof(RuleCatalog).Assembly)) infos.AddRange(All());
        foreach (var sigma in rules.OfType<SigmaRuleSet>()) infos.AddRange(sigma.Infos);
        return infos.DistinctBy(r => r.Id).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every built-in detection, once, by id.</summary>
    public static IReadOnlyList<RuleInfo> All() => BuiltInRules.Infos
        .DistinctBy(r => r.Id)
        .OrderBy(r => r.Id, StringComparer.Ordinal)
        .ToList();
}
