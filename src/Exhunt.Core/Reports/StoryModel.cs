using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Story;

namespace Exhunt.Reports;

/// <summary>
/// What every story-telling writer renders, computed once from the scan by pure functions (stage, surges, next
/// steps) so the formats cannot disagree: the same findings (at or above the minimum severity), incidents,
/// stages, anomalies and steps.
/// </summary>
public sealed class StoryModel
{
    public required ScanResult Result { get; init; }
    public required IReadOnlyList<Finding> Findings { get; init; }
    public required StageReport Stage { get; init; }
    public required IReadOnlyList<StageReport> HostStages { get; init; }
    public required IReadOnlyDictionary<string, StageReport> IncidentStages { get; init; }
    public required IReadOnlyList<SurgeWindow> Surges { get; init; }
    public required IReadOnlyList<NextStep> NextSteps { get; init; }
    public required Severity MinSeverity { get; init; }

    /// <summary>Incidents with at least one finding shown.</summary>
    public IEnumerable<Incident> Incidents => Result.Story.Incidents.Where(i => i.Findings.Any(f => f.Severity >= MinSeverity));

    public static StoryModel Of(ScanResult result, Severity minSeverity = Severity.Info)
    {
        var surges = Story.Surge.Surges(result);
        return new StoryModel
        {
            Result = result,
            Findings = result.Findings.Where(f => f.Severity >= minSeverity).ToList(),
            Stage = Story.Stage.StageOf(result),
            HostStages = Story.Stage.PerHost(result),
            IncidentStages = result.Story.Incidents.ToDictionary(i => i.Id, i => Story.Stage.StageOf(i, result)),
            Surges = surges,
            NextSteps = Story.NextSteps.For(result, surges),
            MinSeverity = minSeverity,
        };
    }

    /// <summary>The host a finding is told under ("unknown" when nothing says).</summary>
    public static string HostOf(Finding f) => string.IsNullOrEmpty(f.Host) ? "unknown" : f.Host;
}
