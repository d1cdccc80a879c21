using Exhunt.Scanning;
using Exhunt.Story;

namespace Exhunt.Reports;

/// <summary>The story sentences the console prints under the verdict: the stage, then each surge in one sentence.</summary>
public static class StoryLines
{
    public const int MaxSurges = 3;

    public static IEnumerable<string> ForConsole(ScanResult result)
    {
        var stage = Stage.StageOf(result);
        if (stage.Step > StageStep.None) yield return "Stage: " + stage.Sentence;
        var surges = Surge.Surges(result);
        foreach (var s in surges.Take(MaxSurges)) yield return s.Sentence();
        if (surges.Count > MaxSurges) yield return $"… and {surges.Count - MaxSurges} more surge(s) (see --json or --html).";
    }
}
