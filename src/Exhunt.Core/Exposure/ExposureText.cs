namespace Exhunt.Exposure;

/// <summary>The exposure said in words: one sentence for the console, and a detailed listing for <c>exhunt exposure</c>.</summary>
public static class ExposureText
{
    /// <summary>"the build 15.1.2176.2 (2016 CU19, no security update) is still open to 10 CVEs, including ProxyLogon: install …".</summary>
    public static string Sentence(ExposureAssessment a)
    {
        var subject = $"the build {a.Build} ({a.Label})";
        if (a.Product is null) return $"{subject}: no CVE state can be given";
        var certain = a.CertainOpen;
        var possible = a.OpenCves.Count - certain;
        var checks = a.ConfigChecks.Count(c => c.BuildFixed);
        var checkText = checks == 0 ? "" : $"; {checks} more need a configuration check";
        if (a.OpenCves.Count == 0)
            return $"{subject} carries the fix for every CVE in the table{checkText}";
        var count = certain > 0 && possible > 0 ? $"{certain} CVEs (and possibly {possible} more)"
            : certain > 0 ? Plural(certain, "CVE") : $"possibly {Plural(possible, "CVE")} (the update level is not visible in this evidence)";
        var headlineCertain = a.Headline is not null && a.OpenCves.Any(c => c.Certain && c.Name.StartsWith(a.Headline, StringComparison.Ordinal));
        var including = a.Headline is null ? "" : headlineCertain || certain == 0 ? $", including {a.Headline}" : $", possibly including {a.Headline}";
        return $"{subject} is still open to {count}{including}: {a.Advice}{checkText}";
    }

    public static void WriteDetail(ExposureAssessment a, TextWriter o)
    {
        o.WriteLine($"Host:      {a.Host}");
        o.WriteLine($"Build:     {a.Build}  {a.Product} {a.Update}".TrimEnd());
        o.WriteLine($"Precision: {a.Precision.ToWire()}  (from {a.Artifact}: {a.How})");
        if (a.LastSeen is not null) o.WriteLine($"Seen:      {a.FirstSeen:yyyy-MM-dd HH:mm} .. {a.LastSeen:yyyy-MM-dd HH:mm} UTC");
        o.WriteLine(Sentence(a) + ".");
        foreach (var c in a.OpenCves)
            o.WriteLine($"  {(c.Certain ? "open    " : "possibly")}  {c.Cve,-15} {c.Name}  -> {c.FixedBy}{(c.Kb is null ? "" : " " + c.Kb)}");
        foreach (var c in a.ConfigChecks)
            o.WriteLine($"  {(c.BuildFixed ? "check   " : "mitigate")}  {c.Cve,-15} {c.Check}");
        foreach (var n in a.Notes) o.WriteLine($"  note: {n}");
        foreach (var x in a.OtherObservations)
            o.WriteLine($"  also seen: {x.Build} ({x.Precision.ToWire()}) from {x.Artifact}: {x.How}{(x.LastSeen is null ? "" : $", last {x.LastSeen:yyyy-MM-dd HH:mm}")}");
    }

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}
