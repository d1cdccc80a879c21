namespace Exhunt.Story;

/// <summary>Ordered from least to most severe: the overall verdict is the worst host verdict. Inconclusive (nothing
/// read could show exploitation) ranks above clean, so one unread host keeps a scan from saying clean.</summary>
public enum Verdict { Clean, Inconclusive, Suspicious, Attempted, Compromised }

public static class VerdictNames
{
    public static string ToWire(this Verdict v) => v switch
    {
        Verdict.Compromised => "compromised", Verdict.Attempted => "attempted",
        Verdict.Suspicious => "suspicious", Verdict.Inconclusive => "inconclusive", _ => "clean",
    };

    /// <summary>Process exit code: 0 clean, 1 attempted or suspicious, 2 compromised, 3 inconclusive.</summary>
    public static int ExitCode(this Verdict v) => v switch
    {
        Verdict.Compromised => 2, Verdict.Attempted or Verdict.Suspicious => 1, Verdict.Inconclusive => 3, _ => 0,
    };
}
