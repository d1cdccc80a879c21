namespace Exhunt.Detection;

/// <summary>Builds <see cref="ILogRule.LineNeedles"/> for rules that look at URL-decoded or re-spaced text.</summary>
public static class Needles
{
    /// <summary>
    /// Needles for text a rule finds in a URL-decoded value: each run as written, plus "%" — a value that holds a run
    /// once decoded holds, raw, either the run itself or an escape. (Escapes are rare in Exchange and IIS logs; one
    /// "%" keeps the needle set small, which is what keeps the search fast.) Runs must not contain a space or '+'
    /// (both may stand for a space).
    /// </summary>
    public static IEnumerable<string> Decoded(params string[] runs)
    {
        foreach (var run in runs)
            if (run.IndexOfAny([' ', '+']) >= 0) throw new ArgumentException($"'{run}' has a space or '+'", nameof(runs));
        return runs.Append("%");
    }

    /// <summary>
    /// The run of a phrase a rule looks for in decoded text: its first space-free part when that has four characters
    /// or more, else its longest (so "=net user" gives "=net", not the common word "user").
    /// </summary>
    public static string RunOf(string phrase)
    {
        var parts = phrase.Split(' ', '+');
        if (parts[0].Length >= 4) return parts[0];
        return parts.MaxBy(p => p.Length)!;
    }

    /// <summary>
    /// A run of a user-agent pattern without ' ', '+' or ',' (the characters the logs write a space as), so it occurs
    /// in the raw line whatever encoding the log used: the longest that does not start like every other agent or
    /// referrer ("Mozilla/", "http", "(" — the search keys on a needle's first three characters).
    /// </summary>
    public static string UserAgentRun(string pattern)
    {
        var parts = pattern.Split(' ', '+', ',').Where(p => p.Length > 0).ToArray();
        var distinctive = parts.Where(p => !p.StartsWith("Mozilla", StringComparison.OrdinalIgnoreCase)
            && !p.StartsWith("http", StringComparison.OrdinalIgnoreCase) && !p.StartsWith('(')).ToArray();
        return (distinctive.Length > 0 ? distinctive : parts).MaxBy(p => p.Length)!;
    }
}
