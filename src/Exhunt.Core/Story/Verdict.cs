namespace Exhunt.Story;

public enum Verdict { Clean, Suspicious, Attempted, Compromised }

public static class VerdictNames
{
    public static string ToWire(this Verdict v) => v switch
    {
        Verdict.Compromised => "compromised", Verdict.Attempted => "attempted",
        Verdict.Suspicious => "suspicious", _ => "clean",
    };

    /// <summary>Process exit code: 0 clean, 1 attempted or suspicious, 2 compromised.</summary>
    public static int ExitCode(this Verdict v) => v switch
    {
        Verdict.Compromised => 2, Verdict.Attempted or Verdict.Suspicious => 1, _ => 0,
    };
}
