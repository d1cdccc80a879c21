using System.Reflection;
using Exhunt.Detection.Sigma;
using Exhunt.Findings;

namespace Exhunt.Detection;

/// <summary>The detections a rule set reports under: what <c>exhunt rules</c> lists.</summary>
public static class RuleCatalog
{
    /// <summary>
    /// The detections of the rules a scan runs: the built-in ones when the set holds built-in rules, and the loaded
    /// Sigma rules of every <see cref="SigmaRuleSet"/> in it.
    /// </summary>
    public static IReadOnlyList<RuleInfo> Of(RuleSet set)
    {
        var rules = set.All.ToList();
        var infos = new List<RuleInfo>();
        if (rules.Any(r => r is not SigmaRuleSet and not SigmaWebRules && r.GetType().Assembly == typeof(RuleCatalog).Assembly)) infos.AddRange(All());
        foreach (var sigma in rules.OfType<SigmaRuleSet>()) infos.AddRange(sigma.Infos);
        return infos.DistinctBy(r => r.Id).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every built-in detection: the static <see cref="RuleInfo"/> members of the built-in rule classes and
    /// the helpers they report through.</summary>
    public static IReadOnlyList<RuleInfo> All() => typeof(RuleCatalog).Assembly.GetTypes()
        .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(f => f.FieldType == typeof(RuleInfo)).Select(f => (RuleInfo?)f.GetValue(null))
            .Concat(t.GetProperties(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(p => p.PropertyType == typeof(RuleInfo) && p.GetIndexParameters().Length == 0).Select(p => (RuleInfo?)p.GetValue(null))))
        .OfType<RuleInfo>()
        .DistinctBy(r => r.Id)
        .OrderBy(r => r.Id, StringComparer.Ordinal)
        .ToList();
}
