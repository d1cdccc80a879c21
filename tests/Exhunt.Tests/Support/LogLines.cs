using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Tests.Support;

/// <summary>Runs log rules over log text the way the scanner does, and returns the findings.</summary>
public static class LogLines
{
    public static List<LogRecordCopy> Read(string relativePath, string content, ArtifactKind? kind = null)
    {
        var stats = new ReaderStats();
        return Read(relativePath, content, stats, kind);
    }

    public static List<LogRecordCopy> Read(string relativePath, string content, ReaderStats stats, ArtifactKind? kind = null)
    {
        var file = Fixture.File(relativePath, content, kind);
        var list = new List<LogRecordCopy>();
        using var s = file.Open();
        new TextLogReader(file, stats).Read(s, r => list.Add(LogRecordCopy.Of(r)));
        return list;
    }

    public static List<Finding> Detect(string relativePath, string content, ArtifactKind? kind = null, RuleSet? rules = null) =>
        Run(relativePath, content, kind, rules).Findings;

    /// <summary>
    /// Runs the log rules through <see cref="LogRuleRunner"/> three times, with the line prefilter off, on (chars), on
    /// with the byte block matcher and with the byte search run ahead on another thread, and asserts that every run found, claimed and recorded the same: every rule test is
    /// also a test of the rule's needles and of the byte path.
    /// </summary>
    public static (List<Finding> Findings, List<FileWriteClaim> Writes, List<PageRequest> Requests) Run(string relativePath, string content,
        ArtifactKind? kind = null, RuleSet? rules = null)
    {
        rules ??= RuleSet.BuiltIn();
        var full = RunOnce(relativePath, content, kind, rules, prefilter: false);
        var chars = RunOnce(relativePath, content, kind, rules, prefilter: true, blockMatcher: false);
        var filtered = RunOnce(relativePath, content, kind, rules, prefilter: true, blockMatcher: true);
        var ahead = RunOnce(relativePath, content, kind, rules, prefilter: true, blockMatcher: true, searchAheadFrom: 0);
        foreach (var other in new[] { chars, filtered, ahead })
        {
            Assert.Equal(Describe(full.Findings), Describe(other.Findings));
            Assert.Equal(full.Writes, other.Writes);
            Assert.Equal(full.Requests, other.Requests);
            Assert.Equal(full.Stats, other.Stats);
        }
        return (filtered.Findings, filtered.Writes, filtered.Requests);
    }

    private static (List<Finding> Findings, List<FileWriteClaim> Writes, List<PageRequest> Requests, string Stats) RunOnce(string relativePath,
        string content, ArtifactKind? kind, RuleSet rules, bool prefilter, bool blockMatcher = true,
        long searchAheadFrom = LogRuleRunner.DefaultSearchAheadFrom)
    {
        var file = Fixture.File(relativePath, content, kind);
        var context = new ScanContext();
        var stats = new ReaderStats();
        using var s = file.Open();
        LogRuleRunner.Run(rules, file, s, stats, context, prefilter, blockMatcher, searchAheadFrom);
        var statsText = $"{stats.Records} {stats.Skipped} {stats.First:O} {stats.Last:O} {string.Join(" | ", stats.Errors)}";
        return (context.Findings.Snapshot().ToList(), context.FileWrites.ToList(), context.PageRequests.ToList(), statsText);
    }

    /// <summary>What a finding says, as text, for comparing two runs.</summary>
    public static List<string> Describe(IEnumerable<Finding> findings) =>
        findings.Select(f => string.Join(" | ", f.Rule.Id, f.Title, f.SeverityOverride, f.Outcome, f.Time?.ToString("O"), f.Artifact, f.Line, f.Record,
                f.ClientIp, f.UserAgent, f.User, f.Evidence,
                f.Details is null ? "" : string.Join(";", f.Details.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Key + "=" + d.Value))))
            .ToList();
}

/// <summary>A snapshot of a reused <see cref="LogRecord"/>, for assertions.</summary>
public sealed record LogRecordCopy(long Line, DateTime? Time, string Raw, Dictionary<Field, string> Values)
{
    public static LogRecordCopy Of(LogRecord r)
    {
        var values = new Dictionary<Field, string>();
        foreach (var f in Enum.GetValues<Field>())
            if (r.Has(f)) values[f] = r[f].ToString();
        return new LogRecordCopy(r.Line, r.Time, r.Raw.ToString(), values);
    }

    public string? this[Field f] => Values.TryGetValue(f, out var v) ? v : null;
}
