using System.Reflection;
using Exhunt.Detection;
using Exhunt.Detection.Sigma;

namespace Exhunt.Tests.Detection;

/// <summary>The explicit built-in rule list (no assembly scanning at run time) and the catalogue built from a rule set.</summary>
public class RuleRegistryTests
{
    [Fact]
    public void The_explicit_list_holds_every_rule_class_the_assembly_defines_once()
    {
        // What reflection finds: every concrete rule class with a parameterless constructor (the Sigma set is loaded, not built in).
        var found = typeof(RuleSet).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t != typeof(SigmaRuleSet)
                && t.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes) is not null
                && (typeof(ILogRule).IsAssignableFrom(t) || typeof(IEventRule).IsAssignableFrom(t)
                    || typeof(IFileRule).IsAssignableFrom(t) || typeof(ICorrelationRule).IsAssignableFrom(t)))
            .Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var listed = BuiltInRules.Create().Select(r => r.GetType().FullName!).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(found, listed.OrderBy(n => n, StringComparer.Ordinal).ToList());
        Assert.True(found.Count > 50, $"{found.Count} rule classes");
    }

    [Fact]
    public void The_built_in_set_sorts_every_rule_into_each_kind_it_implements()
    {
        var set = RuleSet.BuiltIn();
        foreach (var rule in BuiltInRules.Create())
        {
            var type = rule.GetType();
            Assert.Equal(rule is ILogRule, set.LogRules.Any(r => r.GetType() == type));
            Assert.Equal(rule is IEventRule, set.EventRules.Any(r => r.GetType() == type));
            Assert.Equal(rule is IFileRule, set.FileRules.Any(r => r.GetType() == type));
            Assert.Equal(rule is ICorrelationRule, set.CorrelationRules.Any(r => r.GetType() == type));
        }
        Assert.Equal(BuiltInRules.Create().Count, set.All.Count());
    }

    [Fact]
    public void The_catalogue_lists_the_rules_of_the_set_built_in_and_loaded_sigma_alike()
    {
        var builtIn = RuleCatalog.Of(RuleSet.BuiltIn());
        Assert.Equal(RuleCatalog.All().Select(r => r.Id), builtIn.Select(r => r.Id));
        Assert.Equal(BuiltInRules.Infos.Select(r => r.Id).Distinct().Order(StringComparer.Ordinal), builtIn.Select(r => r.Id));
        Assert.Contains(builtIn, r => r.Id == "web-proxylogon-ssrf" || r.Id.StartsWith("web-", StringComparison.Ordinal));
        Assert.Empty(RuleCatalog.Of(new RuleSet()));

        var sigma = SigmaLoader.LoadText("title: Webshell child\nid: 5f4cd1e3-0000-4000-8000-000000000001\nlevel: high\n" +
            "logsource:\n    category: process_creation\n    product: windows\n" +
            "detection:\n    sel:\n        ParentImage|endswith: '\\w3wp.exe'\n    condition: sel\n");
        Assert.Equal(1, sigma.Report.Loaded);
        var both = RuleCatalog.Of(sigma.AddTo(RuleSet.BuiltIn()));
        var added = Assert.Single(both.Except(builtIn));
        Assert.Contains("5f4cd1e3-0000-4000-8000-000000000001", added.Id);
        Assert.Equal("Webshell child", added.Title);
        Assert.Single(RuleCatalog.Of(sigma.AddTo(new RuleSet())));
    }

    [Fact]
    public void The_explicit_detection_list_holds_every_static_rule_info_the_assembly_defines()
    {
        // What reflection finds (this test runs untrimmed): static RuleInfo fields and properties, and the three
        // weights of every static WebShellRuleInfos.
        const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        var found = new List<Exhunt.Findings.RuleInfo>();
        foreach (var t in typeof(RuleSet).Assembly.GetTypes())
        {
            foreach (var f in t.GetFields(Static))
            {
                if (f.FieldType == typeof(Exhunt.Findings.RuleInfo)) found.Add((Exhunt.Findings.RuleInfo)f.GetValue(null)!);
                else if (f.FieldType.Name == "WebShellRuleInfos")
                    found.AddRange(f.FieldType.GetProperties().Where(p => p.PropertyType == typeof(Exhunt.Findings.RuleInfo))
                        .Select(p => (Exhunt.Findings.RuleInfo)p.GetValue(f.GetValue(null))!));
            }
            foreach (var p in t.GetProperties(Static))
                if (p.PropertyType == typeof(Exhunt.Findings.RuleInfo) && p.GetIndexParameters().Length == 0)
                    found.Add((Exhunt.Findings.RuleInfo)p.GetValue(null)!);
        }
        var listed = BuiltInRules.Infos.Select(r => r.Id).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(found.Select(r => r.Id).Distinct().Order(StringComparer.Ordinal).ToList(), listed);
        Assert.Equal(listed.Count, BuiltInRules.Infos.Count);
        Assert.True(listed.Count > 90, $"{listed.Count} detections");
    }
}
