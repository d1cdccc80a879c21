using System.Net;

namespace Exhunt.Findings;

/// <summary>
/// One spelling per host, whichever source named it: the event's Computer ("EXCH01.contoso.local"), a log's
/// server field ("EXCH01"), a collection folder ("exch01"). Lower case, domain suffix stripped (an IP address is kept
/// whole), at most 63 characters (a DNS label); empty, "-", unprintable values and placeholders such as "[redacted]" are no host.
/// </summary>
public static class HostName
{
    public const string Unknown = "unknown";

    public static string? Normalize(string? name)
    {
        if (name is null) return null;
        var s = name.Trim().TrimStart('\\').Trim();
        if (s.Length == 0 || s == "-") return null;
        if (!IPAddress.TryParse(s, out _))
        {
            var dot = s.IndexOf('.');
            if (dot == 0) return null;
            if (dot > 0) s = s[..dot];
        }
        if (s.Length > 63) s = s[..63];
        foreach (var c in s)
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c is '/' or '\\' or '"' or '<' or '>' or '[' or ']') return null;
        return s.ToLowerInvariant();
    }

    /// <summary>Whether two spellings name the same host ("EXCH01.contoso.local" and "exch01" do).</summary>
    public static bool Same(string? a, string? b) => Normalize(a) is { } x && x == Normalize(b);
}
