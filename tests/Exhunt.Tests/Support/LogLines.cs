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

    public static List<Finding> Detect(string relativePath, string content, ArtifactKind? kind = null, RuleSet? rules = null)
    {
        rules ??= RuleSet.BuiltIn();
        var file = Fixture.File(relativePath, content, kind);
        var context = new ScanContext();
        var forKind = rules.LogRulesFor(file.Kind);
        using var s = file.Open();
        new TextLogReader(file, new ReaderStats()).Read(s, r => { foreach (var rule in forKind) rule.Inspect(r, context); });
        return context.Findings.Snapshot().ToList();
    }
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
