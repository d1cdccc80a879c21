using System.Collections.Concurrent;

namespace Exhunt.Findings;

/// <summary>
/// Thread-safe collector of findings; readers for different files add concurrently. A scanner spraying millions of
/// requests must not cost unbounded memory: each rule keeps at most <see cref="PerRuleAndOutcome"/> findings per
/// outcome (so a flood of failed probes never crowds out a success), and the rest are counted, not lost.
/// </summary>
public sealed class FindingSink(int perRuleAndOutcome = FindingSink.DefaultCap)
{
    public const int DefaultCap = 2000;
    private readonly ConcurrentQueue<Finding> _findings = new();
    private readonly ConcurrentDictionary<(string Rule, Outcome Outcome), int> _counts = new();

    public int PerRuleAndOutcome { get; } = perRuleAndOutcome;

    public void Add(Finding finding)
    {
        var n = _counts.AddOrUpdate((finding.Rule.Id, finding.Outcome), 1, (_, c) => c + 1);
        if (n <= PerRuleAndOutcome) _findings.Enqueue(finding);
    }

    public IReadOnlyList<Finding> Snapshot() => _findings.ToArray();

    public int Count => _findings.Count;

    /// <summary>Findings counted but not kept, per rule and outcome.</summary>
    public IReadOnlyList<SuppressedFindings> Suppressed() => _counts
        .Where(kv => kv.Value > PerRuleAndOutcome)
        .Select(kv => new SuppressedFindings(kv.Key.Rule, kv.Key.Outcome, kv.Value - PerRuleAndOutcome))
        .OrderBy(s => s.Rule, StringComparer.Ordinal).ThenBy(s => s.Outcome)
        .ToList();
}

public sealed record SuppressedFindings(string Rule, Outcome Outcome, long Count);
