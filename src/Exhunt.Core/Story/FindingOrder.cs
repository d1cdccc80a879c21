using Exhunt.Findings;

namespace Exhunt.Story;

public static class FindingOrder
{
    /// <summary>Report order: by time (untimed last), then severity (highest first), artifact and position.</summary>
    public static List<Finding> Sort(IEnumerable<Finding> findings) => findings
        .OrderBy(f => f.Time is null)
        .ThenBy(f => f.Time)
        .ThenByDescending(f => f.Severity)
        .ThenBy(f => f.Artifact, StringComparer.Ordinal)
        .ThenBy(f => f.Line ?? f.Record ?? 0)
        .ThenBy(f => f.Rule.Id, StringComparer.Ordinal)
        // Files are read in parallel: ties must still come out in the same order every run.
        .ThenBy(f => f.DisplayTitle, StringComparer.Ordinal)
        .ThenBy(f => f.Outcome)
        .ThenBy(f => f.ClientIp, StringComparer.Ordinal)
        .ThenBy(f => f.Evidence, StringComparer.Ordinal)
        .ThenBy(f => f.Record ?? 0)
        .ToList();
}
