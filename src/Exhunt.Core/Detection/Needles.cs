namespace Exhunt.Detection;

/// <summary>Builds <see cref="ILogRule.LineNeedles"/> for rules that look at decoded or re-spaced text.</summary>
public static class Needles
{
    /// <summary>
    /// <paramref name="word"/> as written, plus every <c>%XX</c> escape that decodes to one of its characters (both
    /// letter cases; hex digits compare ignore-case anyway). A value that holds the word once URL-decoded holds, raw,
    /// either the word itself or at least one of these escapes.
    /// </summary>
    public static IEnumerable<string> WithPercentEscapes(string word)
    {
        yield return word;
        var seen = new HashSet<char>();
        foreach (var c in word)
            foreach (var variant in new[] { char.ToLowerInvariant(c), char.ToUpperInvariant(c) })
                if (variant < 0x80 && seen.Add(variant)) yield return "%" + ((int)variant).ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The longest run of a user-agent pattern without ' ', '+' or ',' (the characters the logs write a space as):
    /// it occurs in the raw line whatever encoding the log used.
    /// </summary>
    public static string LongestUserAgentRun(string pattern)
    {
        var best = "";
        foreach (var part in pattern.Split(' ', '+', ','))
            if (part.Length > best.Length) best = part;
        return best;
    }
}
