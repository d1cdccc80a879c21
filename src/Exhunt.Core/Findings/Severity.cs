namespace Exhunt.Findings;

public enum Severity { Info, Low, Medium, High, Critical }

public enum Outcome { Unknown, Failed, Succeeded }

public static class FindingEnums
{
    public static string ToWire(this Severity s) => s switch
    {
        Severity.Info => "info", Severity.Low => "low", Severity.Medium => "medium",
        Severity.High => "high", _ => "critical",
    };

    public static string ToWire(this Outcome o) => o switch
    {
        Outcome.Succeeded => "succeeded", Outcome.Failed => "failed", _ => "unknown",
    };

    public static bool TryParseSeverity(string text, out Severity severity)
    {
        foreach (var s in Enum.GetValues<Severity>())
            if (string.Equals(s.ToWire(), text, StringComparison.OrdinalIgnoreCase)) { severity = s; return true; }
        severity = Severity.Info;
        return false;
    }
}
