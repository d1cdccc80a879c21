using System.Text.RegularExpressions;
using Exhunt.Detection;
using Exhunt.Story;

namespace Exhunt.Tests.Detection;

public class RuleCatalogTests
{
    [Fact]
    public void Every_rule_has_a_unique_stable_id_and_a_complete_mapping()
    {
        var all = typeof(RuleCatalog).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic))
            .Where(f => f.FieldType == typeof(Exhunt.Findings.RuleInfo))
            .Select(f => (Exhunt.Findings.RuleInfo)f.GetValue(null)!)
            .ToList();
        var dupes = all.GroupBy(r => r.Id).Where(g => g.Select(r => r.Title).Distinct().Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(dupes);
        foreach (var r in RuleCatalog.Of(RuleSet.BuiltIn()))
        {
            Assert.Matches(new Regex("^[a-z0-9]+(-[a-z0-9]+)+$"), r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.Title), r.Id);
            Assert.True(Tactics.Rank(r.Tactic) >= 0, $"{r.Id}: unknown tactic '{r.Tactic}'");
            Assert.All(r.Attack, a => Assert.Matches(new Regex(@"^T\d{4}(\.\d{3})?$"), a));
            Assert.All(r.Cves, c => Assert.Matches(new Regex(@"^CVE-\d{4}-\d{4,}$"), c));
        }
    }
}
