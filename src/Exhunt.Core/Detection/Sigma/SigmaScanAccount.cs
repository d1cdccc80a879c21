namespace Exhunt.Detection.Sigma;

/// <summary>What a scan's report says about the Sigma rules it ran: the load account (loaded, rejected with reasons,
/// unsupported log source) and what the correlation rules did with the matches of the rules they join.</summary>
public sealed record SigmaScanAccount(SigmaLoadReport Load, SigmaCorrelationStats? Correlations)
{
    /// <summary>The account of the Sigma rules in <paramref name="rules"/> (null when the scan ran none).</summary>
    public static SigmaScanAccount? For(RuleSet rules, ScanContext context)
    {
        var set = rules.All.OfType<SigmaRuleSet>().FirstOrDefault();
        if (set is null) return null;
        var stats = set.Correlations is { } c ? c.StatsFor(context) ?? new SigmaCorrelationStats() : null;
        return new SigmaScanAccount(set.Report, stats);
    }
}
