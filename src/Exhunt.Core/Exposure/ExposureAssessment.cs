namespace Exhunt.Exposure;

/// <summary>A CVE the build is still open to, and the update that closes it on this CU.</summary>
/// <param name="Certain">False when the evidence shows only the CU or a lower bound and an update for this CU would close it.</param>
public sealed record OpenCve(string Cve, string Name, string FixedBy, string? Kb, bool Certain);

/// <summary>A CVE whose fix the build carries (or a mitigation that may hold it back) but whose state rests on configuration.</summary>
public sealed record ConfigCheck(string Cve, string Name, string Check, bool BuildFixed);

/// <summary>What one build is open to: the build, its product and update name, how precisely it is known, and from what.</summary>
public sealed record ExposureAssessment
{
    public required string Host { get; init; }
    public required ExchangeBuild Build { get; init; }
    /// <summary>"Exchange Server 2016", or null when the build is not Exchange 2013 or later.</summary>
    public string? Product { get; init; }
    public string? Cu { get; init; }
    /// <summary>"CU19 Mar21SU", "CU19" (the CU release, no update), or "CU19, update not in the table".</summary>
    public string? Update { get; init; }
    /// <summary>Short label for a sentence: "2016 CU19, no security update".</summary>
    public required string Label { get; init; }
    public required BuildPrecision Precision { get; init; }
    public required string Artifact { get; init; }
    public required string How { get; init; }
    public DateTime? LastSeen { get; init; }
    /// <summary>When the evidence first shows this build (IIS logs: when the served build changed to it).</summary>
    public DateTime? FirstSeen { get; init; }
    public required IReadOnlyList<OpenCve> OpenCves { get; init; }
    public required IReadOnlyList<ConfigCheck> ConfigChecks { get; init; }
    /// <summary>What to install: "install CU19 Mar21SU (KB5000871)", null when nothing is open.</summary>
    public string? Advice { get; init; }
    /// <summary>The best-known chain still open (ProxyLogon, ProxyShell ...), for the sentence.</summary>
    public string? Headline { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>Other builds seen for this host (history, disagreeing samples).</summary>
    public IReadOnlyList<BuildObservation> OtherObservations { get; init; } = [];

    public int CertainOpen => OpenCves.Count(c => c.Certain);

    /// <summary>Orders hosts: more certainly-open CVEs first, then more possibly-open ones.</summary>
    public static int CompareWorst(ExposureAssessment a, ExposureAssessment b)
    {
        var c = b.CertainOpen.CompareTo(a.CertainOpen);
        return c != 0 ? c : b.OpenCves.Count.CompareTo(a.OpenCves.Count);
    }
}

/// <summary>Exposure of every host in a scan, and the worst one.</summary>
public sealed record ScanExposure(IReadOnlyList<ExposureAssessment> Hosts, string TablesVersion, long ObservationsDropped = 0)
{
    public ExposureAssessment? Worst => Hosts.Count == 0 ? null : Hosts.OrderBy(h => h, Comparer<ExposureAssessment>.Create(ExposureAssessment.CompareWorst)).First();

    public static ScanExposure From(ExposureCollector collector, ExposureTables? tables = null)
    {
        tables ??= ExposureTables.BuiltIn;
        var evaluator = new ExposureEvaluator(tables);
        var hosts = collector.Snapshot().GroupBy(o => o.Host, StringComparer.OrdinalIgnoreCase)
            .Select(g => evaluator.EvaluateHost(g.ToList()))
            .Where(a => a is not null).Select(a => a!)
            .OrderBy(a => a.Host, StringComparer.OrdinalIgnoreCase).ToList();
        return new ScanExposure(hosts, tables.Version, collector.Dropped);
    }
}
