using System.Text;
using Exhunt.Data;
using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>
/// The raw-line needles of the webserver rules, kept few: every needle joins the kind's literal union, and the byte
/// search makes one pass over each block per few dozen literals, so 300 Sigma needles cost several passes over every
/// byte while the lines they find are rare. The needle set is cut down without losing a line:
/// a literal that holds another needle is dropped (a line holding it holds the other), and literals sharing an
/// uncommon run (<c>jndi:</c>, <c>/Basic/</c>, <c>/cgi-bin</c>) are replaced by that run. Both only widen the set of
/// lines found; the rules then check their own literals in their fields (<see cref="SigmaPrefilter"/>) before any rule
/// is evaluated, so a rule fires on exactly the lines it fired on before.
/// </summary>
internal static class SigmaWebNeedles
{
    /// <summary>The shortest run a cover may be; an all-letter cover must have <see cref="MinLetterCover"/>
    /// (short letter runs such as "port" or "load" are parts of ordinary words and paths).</summary>
    internal const int MinCover = 5, MinLetterCover = 7, MaxCover = 12;

    private static readonly Lazy<string[]> CommonRuns = new(() =>
        DataFiles.ReadLines("sigma/web-common-runs.txt").Select(l => l.ToLowerInvariant()).ToArray());

    /// <summary>Whether <paramref name="literal"/> occurs inside text found in a large share of Exchange / IIS log lines
    /// (Data/sigma/web-common-runs.txt): "/owa/", "/powershell", ".asmx" and "autodiscover.json" do; "/owa/calendar/a"
    /// and "jndi:" do not.</summary>
    public static bool IsCommon(string literal)
    {
        foreach (var run in CommonRuns.Value)
            if (run.Contains(literal, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The chance that a web-log line holds the literal, for choosing the most selective need of an AND: a
    /// literal common in Exchange / IIS logs is as good as none; an HTTP method, status code or port has a handful of
    /// values; a number is no word; otherwise longer literals are rarer.</summary>
    public static double Chance(NeedItem item)
    {
        if (item.Field is { Kind: FieldKeyKind.Column, Code: (int)Field.Method or (int)Field.Status or (int)Field.SubStatus
            or (int)Field.Win32Status or (int)Field.ServerPort or (int)Field.BackEndStatus }) return 0.5;
        if (item.Literal.All(char.IsAsciiDigit)) return 0.5;
        // Common: worse than any uncommon literal, and among common ones the longer the rarer ("/powershell" over "/owa/").
        if (IsCommon(item.Literal)) return 0.05 + Math.Pow(4, -Math.Min(item.Literal.Length, 12));
        return Math.Pow(4, -Math.Min(item.Literal.Length, 8));
    }

    /// <summary>
    /// A small needle set such that every line holding one of <paramref name="literals"/> holds one of the needles:
    /// literals holding another are dropped, then, greedily, the uncommon run shared by the most remaining literals
    /// (at least two) replaces them, until no run is shared. Deterministic (ties: longer, then ordinal).
    /// </summary>
    public static List<string> Reduce(IEnumerable<string> literals)
    {
        // ASCII only (the byte search folds ASCII letters and nothing else); other literals are kept as they are.
        var all = literals.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var kept = all.Where(l => !Ascii.IsValid(l)).ToList();
        var distinct = all.Where(l => Ascii.IsValid(l)).Select(l => l.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList();
        var minimal = distinct.Where(l => !distinct.Any(o => o.Length < l.Length && l.Contains(o, StringComparison.Ordinal))).ToList();
        // Every run a cover could be → the literals holding it.
        var holders = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < minimal.Count; i++)
        {
            var l = minimal[i];
            for (var len = MinCover; len <= Math.Min(MaxCover, l.Length - 1); len++)
                for (var at = 0; at + len <= l.Length; at++)
                {
                    var run = l.Substring(at, len);
                    if (!holders.TryGetValue(run, out var list)) holders[run] = list = [];
                    if (list.Count == 0 || list[^1] != i) list.Add(i);
                }
        }
        var candidates = holders.Where(kv => kv.Value.Count >= 2 && UsableCover(kv.Key))
            .Select(kv => (Run: kv.Key, Holders: kv.Value.ToArray())).OrderBy(c => c.Run, StringComparer.Ordinal).ToList();
        var covered = new bool[minimal.Count];
        var needles = kept;
        while (true)
        {
            (string Run, int Count) best = (null!, 1);
            foreach (var (run, members) in candidates)
            {
                var count = 0;
                foreach (var m in members) if (!covered[m]) count++;
                if (count > best.Count || (count == best.Count && count > 1 && run.Length > best.Run.Length)) best = (run, count);
            }
            if (best.Count < 2) break;
            needles.Add(best.Run);
            foreach (var m in holders[best.Run]) covered[m] = true;
        }
        for (var i = 0; i < minimal.Count; i++)
            if (!covered[i]) needles.Add(minimal[i]);
        return needles;
    }

    /// <summary>A run that may stand for several literals: long enough, with two letters or digits, not all letters
    /// unless long, and not common in Exchange / IIS logs.</summary>
    internal static bool UsableCover(string run)
    {
        if (run.Length < MinCover) return false;
        var alnum = 0;
        var letters = 0;
        foreach (var c in run)
        {
            if (char.IsAsciiLetterOrDigit(c)) alnum++;
            if (char.IsAsciiLetter(c)) letters++;
        }
        if (alnum < 2) return false;
        if (letters == run.Length && run.Length < MinLetterCover) return false;
        return !IsCommon(run);
    }
}
