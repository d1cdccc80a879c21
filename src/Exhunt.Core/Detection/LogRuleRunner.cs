using System.Buffers;
using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Detection;

/// <summary>
/// Reads one text log and hands its lines to the log rules of its kind: the one path the scanner and the rule tests
/// share. With the prefilter on, a line holding none of the rules' <see cref="ILogRule.LineNeedles"/> is counted and
/// timed but neither split nor inspected.
/// </summary>
public static class LogRuleRunner
{
    public static void Run(RuleSet rules, EvidenceFile file, Stream stream, ReaderStats stats, ScanContext context, bool prefilter = true)
    {
        var forKind = rules.LogRulesFor(file.Kind);
        var filter = prefilter ? rules.LinePrefilterFor(file.Kind) : null;
        var traffic = context.Traffic.CounterFor(file);
        new TextLogReader(file, stats).Read(stream, record =>
        {
            foreach (var rule in forKind) rule.Inspect(record, context);
        }, filter is null ? null : filter.FindLines, traffic is null ? null : traffic.Observe);
        traffic?.Complete();
    }

    /// <summary>
    /// The union of the needles of every rule for a kind, or null when one of them must see every line (or the
    /// needles are unusable: an empty string would match every line anyway).
    /// </summary>
    internal static LinePrefilter? BuildPrefilter(IReadOnlyList<ILogRule> rules)
    {
        var needles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rule in rules)
        {
            if (rule.LineNeedles is not { } list) return null;
            foreach (var n in list)
            {
                if (string.IsNullOrEmpty(n)) return null;
                needles.Add(n);
            }
        }
        return new LinePrefilter(needles);
    }
}
