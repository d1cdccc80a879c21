using System.Reflection;
using Exhunt.Findings;

namespace Exhunt.Detection;

/// <summary>Every built-in detection, found as the static <see cref="RuleInfo"/> members rule classes declare.</summary>
public static class RuleCatalog
{
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
