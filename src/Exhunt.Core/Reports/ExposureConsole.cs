using Exhunt.Exposure;

namespace Exhunt.Reports;

/// <summary>The exposure line next to the verdict: one sentence for the worst host, a count for the others.</summary>
public static class ExposureConsole
{
    public static void Write(ScanExposure? exposure, TextWriter o)
    {
        var worst = exposure?.Worst;
        if (worst is null)
        {
            o.WriteLine("Exposure: the evidence does not show the Exchange build (no ExSetup.exe, update record, version folder or versioned request path).");
            return;
        }
        var host = worst.Host == BuildObservation.UnknownHost ? "" : $"on {worst.Host} ";
        o.WriteLine(TextEscape.ForTerminal($"Exposure: {host}{ExposureText.Sentence(worst)} (from {worst.Artifact}: {worst.How}).", 600));
        var others = exposure!.Hosts.Where(h => !ReferenceEquals(h, worst)).ToList();
        foreach (var h in others.Take(5))
            o.WriteLine(TextEscape.ForTerminal($"  {h.Host}: {ExposureText.Sentence(h)}.", 400));
        if (others.Count > 5) o.WriteLine($"  ... and {others.Count - 5} more host(s); all are in --json");
    }
}
