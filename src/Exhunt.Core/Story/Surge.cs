using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Story;

/// <summary>A value and how often it was seen (a path, a user agent).</summary>
public sealed record Counted(string Value, long Count);

/// <summary>
/// A window in which one host's web traffic rose far above its own baseline: by request volume, by new external
/// clients, or both (<see cref="Reasons"/>). JSON: <c>anomalies[]</c> with <c>kind: "surge"</c>.
/// </summary>
public sealed record SurgeWindow(
    string Host,
    ArtifactKind Source,
    DateTime Start,
    DateTime End,
    double Factor,
    long Requests,
    double BaselinePerHour,
    int DistinctIps,
    int NewExternalIps,
    double NewIpsBaselinePerHour,
    IReadOnlyList<string> Reasons,
    IReadOnlyDictionary<EndpointClass, long> ByClass,
    IReadOnlyList<Counted> TopPaths,
    IReadOnlyList<Counted> TopUserAgents,
    IReadOnlyList<string> Attempts,
    IReadOnlyList<string> Cves)
{
    public const string Kind = "surge";
    public double Hours => (End - Start).TotalHours;

    /// <summary>One sentence for the console and the HTML headline.</summary>
    public string Sentence()
    {
        var what = Reasons.Contains("volume")
            ? $"{Requests:N0} requests in {Hours:0} h, {Factor:0.#}× the usual {BaselinePerHour:0.#}/h"
            : $"{NewExternalIps:N0} new outside clients in {Hours:0} h (usual {NewIpsBaselinePerHour:0.#}/h)";
        var top = TopPaths.Count > 0 ? $", mostly {TopPaths[0].Value}" : "";
        var attempts = Attempts.Count > 0
            ? $"; {Attempts.Count} exploitation finding(s) inside it" + (Cves.Count > 0 ? $" ({string.Join(", ", Cves)})" : "")
            : "; no exploitation finding inside it";
        return $"Surge on {Host} {Readers.Timestamps.ToIso(Start)} → {Readers.Timestamps.ToIso(End)}: {what}{top}{attempts}.";
    }
}

/// <summary>
/// Finds surges in the hourly traffic of each host. The baseline of an hour is the median (and the MAD as spread)
/// of the same hour of the week in the other weeks when at least three are available, else of the same hour of the
/// day on days of the same type (working day or weekend), else of the same hour on all other days. A quiet week,
/// a holiday or one busy Monday moves a median little; an hour is a surge only when it is both several times the
/// median and far outside the spread.
/// </summary>
public static class Surge
{
    /// <summary>An hour counts when it is at least this many times its baseline ...</summary>
    public const double MinFactor = 4.0;
    /// <summary>... and this many robust standard deviations above it ...</summary>
    public const double MinSigmas = 8.0;
    /// <summary>... and above these floors (a handful of requests is never a surge).</summary>
    public const double VolumeFloor = 20, NewIpFloor = 10;
    /// <summary>Less history than this and nothing is judged.</summary>
    public static readonly TimeSpan MinHistory = TimeSpan.FromDays(3);
    /// <summary>Every client is new at the start of the logs: new-client counts are judged only after this.</summary>
    public static readonly TimeSpan NewIpWarmUp = TimeSpan.FromDays(2);
    private const int MinSamples = 3, TopN = 5;

    public static IReadOnlyList<SurgeWindow> Surges(Scanning.ScanResult result) =>
        result.Traffic is { } t ? Surges(t.PerHost(), result.Findings) : [];

    public static IReadOnlyList<SurgeWindow> Surges(IEnumerable<HostTraffic> hosts, IReadOnlyList<Finding> findings)
    {
        var all = new List<SurgeWindow>();
        var hostList = hosts.ToList();
        foreach (var h in hostList) all.AddRange(ForHost(h, findings, hostList.Count == 1));
        return all.OrderBy(s => s.Start).ThenBy(s => s.Host, StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static IEnumerable<SurgeWindow> ForHost(HostTraffic traffic, IReadOnlyList<Finding> findings, bool onlyHost)
    {
        if (traffic.Hours.Count == 0) yield break;
        var first = traffic.Hours.Keys.First();
        var last = traffic.Hours.Keys.Last();
        // Hostile timestamps can spread the hours over years: judge the most recent stretch the counter keeps.
        if ((last - first).TotalHours >= HostTraffic.MaxHours) first = last.AddHours(-(HostTraffic.MaxHours - 1));
        if (last - first < MinHistory) yield break;
        var n = (int)(last - first).TotalHours + 1;
        // An hour without any line is a gap in the logs, not a quiet hour: it is neither judged nor a sample.
        var volume = new double[n];
        var newIps = new double[n];
        Array.Fill(volume, double.NaN);
        Array.Fill(newIps, double.NaN);
        foreach (var (hour, t) in traffic.Hours)
            if (hour >= first) { volume[(int)(hour - first).TotalHours] = t.Requests; newIps[(int)(hour - first).TotalHours] = 0; }
        foreach (var (hour, count) in traffic.NewExternalIps())
            if (hour >= first) newIps[(int)(hour - first).TotalHours] = count;
        var warm = (int)NewIpWarmUp.TotalHours;

        var flagged = new bool[n];
        var reasons = new HashSet<string>[n];
        var baseVolume = new double[n];
        var baseNew = new double[n];
        for (var i = 0; i < n; i++)
        {
            reasons[i] = new();
            baseVolume[i] = baseNew[i] = double.NaN;
            if (double.IsNaN(volume[i])) continue;
            var hour = first.AddHours(i);
            if (Baseline(volume, i, hour, first, 0) is { } bv)
            {
                baseVolume[i] = bv.Median;
                if (Exceeds(volume[i], bv, VolumeFloor)) reasons[i].Add("volume");
            }
            if (i >= warm && Baseline(newIps, i, hour, first, warm) is { } bn)
            {
                baseNew[i] = bn.Median;
                if (Exceeds(newIps[i], bn, NewIpFloor)) reasons[i].Add("new-clients");
            }
            flagged[i] = reasons[i].Count > 0;
        }

        // Flagged hours one quiet hour apart are one window.
        for (var i = 0; i < n; i++)
        {
            if (!flagged[i]) continue;
            var j = i;
            while (j + 1 < n && (flagged[j + 1] || (j + 2 < n && flagged[j + 2]))) j = flagged[j + 1] ? j + 1 : j + 2;
            yield return Window(traffic, first, i, j, volume, baseVolume, newIps, baseNew, reasons, findings, onlyHost);
            i = j;
        }
    }

    private static SurgeWindow Window(HostTraffic traffic, DateTime first, int from, int to, double[] volume, double[] baseVolume,
        double[] newIps, double[] baseNew, HashSet<string>[] reasons, IReadOnlyList<Finding> findings, bool onlyHost)
    {
        var start = first.AddHours(from);
        var end = first.AddHours(to + 1);
        var hours = Enumerable.Range(from, to - from + 1).ToList();
        var requests = (long)hours.Where(i => !double.IsNaN(volume[i])).Sum(i => volume[i]);
        var baselineHours = hours.Where(i => !double.IsNaN(baseVolume[i])).ToList();
        var baseline = baselineHours.Count == 0 ? 0 : baselineHours.Average(i => baseVolume[i]);
        var expected = baselineHours.Sum(i => Math.Max(baseVolume[i], 1));
        var factor = expected <= 0 ? 0 : requests / expected;
        var ips = new HashSet<ulong>();
        var byClass = EndpointClasses.All.ToDictionary(c => c, _ => 0L);
        var paths = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var agents = new Dictionary<string, long>(StringComparer.Ordinal);
        long overflow = 0;
        for (var t = start; t < end; t = t.AddHours(1))
        {
            if (!traffic.Hours.TryGetValue(t, out var h)) continue;
            ips.UnionWith(h.Ips);
            overflow += h.IpsOverflow;
            foreach (var c in EndpointClasses.All) byClass[c] += h.ByClass[(int)c];
            foreach (var (k, v) in h.Paths) paths[k] = paths.GetValueOrDefault(k) + v;
            foreach (var (k, v) in h.UserAgents) agents[k] = agents.GetValueOrDefault(k) + v;
        }
        var inside = findings.Where(f => f.Time is { } ft && ft >= start && ft < end && f.Rule.Implies >= Proves.Attempt
                && SameHost(f.Host, traffic.Host, onlyHost))
            .ToList();
        var newBase = hours.Where(i => !double.IsNaN(baseNew[i])).Select(i => baseNew[i]).DefaultIfEmpty(0).Average();
        return new SurgeWindow(
            traffic.Host, traffic.Source, start, end, Math.Round(factor, 1), requests, Math.Round(baseline, 1),
            ips.Count, (int)hours.Where(i => !double.IsNaN(newIps[i])).Sum(i => newIps[i]), Math.Round(newBase, 1),
            hours.SelectMany(i => reasons[i]).Distinct().Order(StringComparer.Ordinal).ToList(),
            byClass.Where(kv => kv.Value > 0).ToDictionary(),
            Top(paths), Top(agents),
            inside.Select(f => f.Id).Where(id => id.Length > 0).ToList(),
            inside.SelectMany(f => f.Rule.Cves).Distinct().Order(StringComparer.Ordinal).ToList());
    }

    private static bool SameHost(string? findingHost, string trafficHost, bool onlyHost) =>
        string.Equals(findingHost, trafficHost, StringComparison.OrdinalIgnoreCase)
        || (onlyHost && (findingHost is null || findingHost == HostName.Unknown));

    private static List<Counted> Top(Dictionary<string, long> counts) => counts
        .Where(kv => kv.Key != "(other)")
        .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
        .Take(TopN).Select(kv => new Counted(kv.Key, kv.Value)).ToList();

    private static bool Exceeds(double value, (double Median, double Sigma) b, double floor) =>
        value >= floor && value >= MinFactor * Math.Max(b.Median, 1) && value - b.Median >= MinSigmas * b.Sigma;

    /// <summary>Median and robust spread (1.4826 × MAD, at least √median and 1) of the comparable hours.</summary>
    internal static (double Median, double Sigma)? Baseline(double[] series, int i, DateTime hour, DateTime first, int skip)
    {
        var samples = new List<double>();
        // Same hour of the week in the other weeks.
        for (var j = i % 168; j < series.Length; j += 168)
            if (j != i && j >= skip && !double.IsNaN(series[j])) samples.Add(series[j]);
        if (samples.Count < MinSamples)
        {
            samples.Clear();
            var weekend = IsWeekend(hour);
            for (var j = i % 24; j < series.Length; j += 24)
                if (j != i && j >= skip && !double.IsNaN(series[j]) && IsWeekend(first.AddHours(j)) == weekend) samples.Add(series[j]);
        }
        if (samples.Count < MinSamples)
        {
            samples.Clear();
            for (var j = i % 24; j < series.Length; j += 24)
                if (j != i && j >= skip && !double.IsNaN(series[j])) samples.Add(series[j]);
        }
        if (samples.Count < MinSamples) return null;
        var median = Median(samples);
        var mad = Median(samples.Select(s => Math.Abs(s - median)).ToList());
        return (median, Math.Max(Math.Max(1.4826 * mad, Math.Sqrt(Math.Max(median, 1))), 1));
    }

    private static bool IsWeekend(DateTime t) => t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    internal static double Median(List<double> values)
    {
        values.Sort();
        var m = values.Count / 2;
        return values.Count % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }
}
