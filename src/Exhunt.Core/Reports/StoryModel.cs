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

    /// <summary>The incident each shown finding belongs to (its first, when several tell it).</summary>
    public IReadOnlyDictionary<Finding, Incident> IncidentOf => _incidentOf ??= Incidents
        .SelectMany(i => i.Findings.Select(f => (f, i))).GroupBy(x => x.f).ToDictionary(g => g.Key, g => g.First().i);

    private IReadOnlyDictionary<Finding, Incident>? _incidentOf;

    // Several writers render one scan: the model is computed once per scan and minimum severity.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ScanResult, Dictionary<Severity, StoryModel>> Cache = new();

    public static StoryModel Of(ScanResult result, Severity minSeverity = Severity.Info)
    {
        var bySeverity = Cache.GetOrCreateValue(result);
        lock (bySeverity)
        {
            if (!bySeverity.TryGetValue(minSeverity, out var model)) bySeverity[minSeverity] = model = Build(result, minSeverity);
            return model;
        }
    }

    private static StoryModel Build(ScanResult result, Severity minSeverity)
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

    /// <summary>The host a finding is told under (<see cref="HostName.Unknown"/> when nothing says).</summary>
    public static string HostOf(Finding f) => string.IsNullOrEmpty(f.Host) ? HostName.Unknown : f.Host;
}
