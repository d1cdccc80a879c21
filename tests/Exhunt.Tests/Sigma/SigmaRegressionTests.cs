using Exhunt.Detection.Sigma;
using Exhunt.Tests.Support;
using Xunit.Abstractions;

namespace Exhunt.Tests.Sigma;

/// <summary>
/// SigmaHQ's regression data: each sample, read by OUR EVTX reader and by our JSON reader, fires its rule with the
/// expected match count — as SigmaHQ's own runner (tests/regression_tests_runner.py) reads it: fewer matches is an
/// error, more is only worth a note (several samples hold more matching events than their info.yml counts).
/// </summary>
public class SigmaRegressionTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Curated_regression_samples_match_their_rules()
    {
        var root = Corpus.Path_("sigma");
        var rules = SigmaCorpus.RulesById(root);
        var cases = SigmaCorpus.Cases(root).ToList();
        Assert.Equal(3, cases.Count);
        foreach (var c in cases) Check(rules, c);
    }

    [SkippableFact]
    public void Every_regression_sample_of_the_full_tree_matches_its_rule()
    {
        var root = SigmaCorpus.Full();
        var rules = SigmaCorpus.RulesById(root);
        var cases = SigmaCorpus.Cases(root).ToList();
        Assert.True(cases.Count >= 200, $"{cases.Count} cases");
        var failures = new List<string>();
        foreach (var c in cases)
        {
            try { Check(rules, c); }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or SigmaRuleException) { failures.Add($"{c.InfoPath}: {e.Message.ReplaceLineEndings(" ")}"); }
        }
        foreach (var f in failures) output.WriteLine(f);
        output.WriteLine($"{cases.Count - failures.Count}/{cases.Count} regression cases pass");
        Assert.Empty(failures);
    }

    private static void Check(Dictionary<string, string> rules, (string InfoPath, string RuleId, int MatchCount, string Evtx, string? Json) c)
    {
        Assert.True(rules.TryGetValue(c.RuleId, out var rulePath), $"rule {c.RuleId} not in the tree");
        var set = SigmaLoader.Load([rulePath!]);
        Assert.True(set.Report.Loaded == 1, $"rule {c.RuleId} did not load: {string.Join("; ", set.Report.Rejected.Select(r => r.Reason))} unsupported={set.Report.UnsupportedLogSource}");
        var id = "sigma:" + c.RuleId;
        var evtxHits = SigmaCorpus.RunEvtx(set, c.Evtx, out var stats).Count(f => f.Rule.Id == id);
        Assert.True(evtxHits >= c.MatchCount, $"evtx: expected {c.MatchCount} matches, got {evtxHits} ({stats.Records} events)");
        if (c.Json is not null)
        {
            var jsonHits = SigmaCorpus.RunJson(set, c.Json).Count(f => f.Rule.Id == id);
            Assert.True(jsonHits >= c.MatchCount, $"json: expected {c.MatchCount} matches, got {jsonHits}");
        }
    }
}
