using Exhunt.Matching;
using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Detection;

/// <summary>
/// Reads one text log and hands its lines to the log rules of its kind: the one path the scanner and the rule tests
/// share. With the prefilter on, a rule that declares <see cref="ILogRule.LineNeedles"/> gets only lines holding one of
/// the kind's needles; a rule without gets every line (<see cref="LogRoute"/>). When every rule of the kind has needles,
/// a line holding none is counted and timed but neither split nor inspected.
/// </summary>
public static class LogRuleRunner
{
    /// <summary>File size from which the byte search runs ahead on another core (<see cref="Readers.TextLogReader"/>):
    /// below it the scanner's one-file-per-core keeps the cores busy and a second thread per file would only add
    /// overhead.</summary>
    public const long DefaultSearchAheadFrom = 64L << 20;

    public static void Run(RuleSet rules, EvidenceFile file, Stream stream, ReaderStats stats, ScanContext context, bool prefilter = true,
        bool blockMatcher = true, long searchAheadFrom = DefaultSearchAheadFrom)
    {
        var route = rules.LogRouteFor(file.Kind);
        var forKind = route.Rules;
        var filter = prefilter ? route.Prefilter : null;
        var traffic = context.Traffic.CounterFor(file);
        if (prefilter && blockMatcher && route.Literals is { } literals && !route.HasEveryLineRule)
        {
            RunBlocks(route, literals, file, stream, stats, context, traffic, file.Length >= searchAheadFrom);
            return;
        }
        Action<LogRecord> onRecord;
        if (filter is null || !route.HasEveryLineRule)
        {
            onRecord = record =>
            {
                foreach (var rule in forKind) rule.Inspect(record, context);
            };
        }
        else
        {
            // Every line is split (a rule wants them all); the needle rules still get only the lines with a needle.
            var everyLine = route.EveryLine;
            onRecord = record =>
            {
                var matched = (bool?)null;
                for (var i = 0; i < forKind.Length; i++)
                {
                    if (!everyLine[i] && !(matched ??= filter.Matches(record.Raw))) continue;
                    forKind[i].Inspect(record, context);
                }
            };
        }
        new TextLogReader(file, stats).Read(stream, onRecord,
            filter is null || route.HasEveryLineRule ? null : filter.FindLines, traffic is null ? null : traffic.Observe);
        traffic?.Complete();
    }

    /// <summary>
    /// The byte path: whole read blocks are searched for the kind's literals as raw bytes; a line holding one goes
    /// only to the rules that declare a literal it holds (the <see cref="ILogRule.LineNeedles"/> contract says no
    /// other rule could act on it), in rule-set order.
    /// </summary>
    private static void RunBlocks(LogRoute route, LineLiterals literals, EvidenceFile file, Stream stream, ReaderStats stats,
        ScanContext context, Story.TrafficCounter? traffic, bool searchAhead)
    {
        var forKind = route.Rules;
        var owners = route.Owners;
        var seen = new bool[owners.Length];
        var wants = new bool[forKind.Length];
        new TextLogReader(file, stats).Read(stream, record =>
        {
            for (var i = 0; i < forKind.Length; i++)
                if (wants[i]) forKind[i].Inspect(record, context);
        }, everyRecord: traffic is null ? null : traffic.Observe, blockFilter: literals.FindLines, wantedLine: line =>
        {
            Array.Clear(seen);
            Array.Clear(wants);
            literals.Mark(line, seen);
            for (var l = 0; l < seen.Length; l++)
                if (seen[l]) foreach (var r in owners[l]) wants[r] = true;
        }, everyRaw: traffic is null ? null : traffic.ObserveRaw, searchAhead: searchAhead && Environment.ProcessorCount > 1 ? file.Open : null);
        traffic?.Complete();
    }
}
