namespace Exhunt.Exposure;

/// <summary>
/// Decides which CVEs of the table a build is still open to (facts: exchange-fingerprint.md §3-4, HealthChecker's
/// per-SU test). For each CVE, on the build's product line:
/// fixed when an update row for the build's own CU is at or below the build, or a CU row (the first CU that includes
/// the fix) is at or below it, or the build's CU is later than every CU that received an update for it;
/// otherwise open. A build known only to its CU, or as a lower bound, is "possibly open" to CVEs an update for its
/// own CU would close — certainly open to those no update of its CU fixes.
/// </summary>
public sealed class ExposureEvaluator(ExposureTables tables)
{
    public static ExposureEvaluator BuiltIn { get; } = new(ExposureTables.BuiltIn);

    /// <summary>The exposure of one host from everything observed about it (null when no observation is an Exchange 15 build).</summary>
    public ExposureAssessment? EvaluateHost(IReadOnlyList<BuildObservation> observations)
    {
        var usable = observations.Where(o => o.Build.IsExchange15).ToList();
        if (usable.Count == 0) return null;
        var chosen = Choose(usable);
        var others = observations.Where(o => !ReferenceEquals(o, chosen)).ToList();
        var notes = new List<string>();
        var laterCu = usable.Where(o => o.Build.Product == chosen.Build.Product && o.Build.Build > chosen.Build.Build).MaxBy(o => o.Build);
        if (laterCu is not null)
            notes.Add($"{laterCu.Artifact} ({laterCu.How}) shows a later CU, {laterCu.Build}: the build may have changed, or an upgrade did not complete");
        var sameCuDisagree = usable.Where(o => o.Precision == BuildPrecision.Exact && o.Build.SameCu(chosen.Build) && o.Build != chosen.Build).ToList();
        if (chosen.Precision == BuildPrecision.Exact && sameCuDisagree.Count > 0)
            notes.Add($"other exact sources disagree: {string.Join(", ", sameCuDisagree.Select(o => $"{o.Build} ({o.Artifact})"))}; the highest is used");
        // The build served before this one (IIS request paths): the same kind of source, a lower build, dated.
        var change = usable.Where(o => o.LastSeen is not null && o.Precision == chosen.Precision && o.Artifact == chosen.Artifact && o.Build < chosen.Build)
            .MaxBy(o => o.LastSeen);
        if (change is not null && chosen.FirstSeen is not null)
            notes.Add($"served build changed from {change.Build} (last seen {change.LastSeen:yyyy-MM-dd HH:mm} UTC) to {chosen.Build} (first seen {chosen.FirstSeen:yyyy-MM-dd HH:mm} UTC)");
        var a = Evaluate(chosen.Build, chosen.Precision, chosen.Host, chosen.Artifact, chosen.How, chosen.FirstSeen, chosen.LastSeen);
        return a with { Notes = [.. a.Notes, .. notes], OtherObservations = others };
    }

    /// <summary>An exact source wins (the highest, when several); otherwise the highest CU, and in it the most precise, highest build.</summary>
    private static BuildObservation Choose(List<BuildObservation> usable)
    {
        var exact = usable.Where(o => o.Precision == BuildPrecision.Exact).ToList();
        if (exact.Count > 0) return exact.OrderByDescending(o => o.Build).ThenByDescending(o => o.LastSeen).First();
        var topCu = usable.Max(o => (o.Build.Major, o.Build.Minor, o.Build.Build));
        return usable.Where(o => (o.Build.Major, o.Build.Minor, o.Build.Build) == topCu)
            .OrderByDescending(o => o.Precision).ThenByDescending(o => o.Build).ThenByDescending(o => o.LastSeen).First();
    }

    public ExposureAssessment Evaluate(ExchangeBuild build, BuildPrecision precision, string host = BuildObservation.UnknownHost,
        string artifact = "typed build", string how = "given on the command line", DateTime? firstSeen = null, DateTime? lastSeen = null)
    {
        var product = build.Product;
        var notes = new List<string>();
        if (product is null || !build.IsExchange15)
        {
            return new ExposureAssessment
            {
                Host = host, Build = build, Label = $"{build}: not an Exchange 2013, 2016, 2019 or SE build", Precision = precision,
                Artifact = artifact, How = how, FirstSeen = firstSeen, LastSeen = lastSeen, OpenCves = [], ConfigChecks = [],
                Notes = ["the CVE table covers Exchange 2013, 2016, 2019 and SE only"],
            };
        }

        var sameCu = tables.Builds.Where(r => r.Product == product && r.Build.SameCu(build)).OrderBy(r => r.Build).ToList();
        var cuRelease = sameCu.FirstOrDefault(r => r.IsCuRelease) ?? sameCu.FirstOrDefault();
        var cu = cuRelease?.Cu;
        if (cu is null) notes.Add($"CU {build.Major}.{build.Minor}.{build.Build} is not in the build table: CVE state computed from the number alone");
        var effective = build.CuOnly ? build.WithRevision(cuRelease?.Build.Revision ?? 0) : build;
        var alias = tables.Aliases.FirstOrDefault(x => x.Product == product && x.Build == effective);
        if (alias is not null)
        {
            notes.Add($"{effective} is read as {alias.SameAs}: {alias.Source}");
            effective = alias.SameAs;
        }
        var exactRow = sameCu.FirstOrDefault(r => r.Build == effective);
        if (cu is not null && exactRow is null && !build.CuOnly)
            notes.Add($"revision {build.Revision} of {cu} is not in the build table (tables {tables.Version})");

        var open = new List<OpenCve>();
        var checks = new List<ConfigCheck>();
        var cveProduct = ExposureTables.CveProductFor(product);
        foreach (var group in tables.Cves.Where(r => r.Product == cveProduct).GroupBy(r => r.Cve))
        {
            var rows = group.ToList();
            var name = rows[0].Name;
            var fixedRow = FixedBy(rows, cu, effective);
            var configRows = tables.ConfigChecks.Where(c => c.Cve == group.Key).ToList();
            if (fixedRow is not null)
            {
                foreach (var c in configRows.Where(c => c.WhenFixed)) checks.Add(new ConfigCheck(group.Key, name, c.Check, true));
                if (fixedRow.NeedsConfig && !configRows.Any(c => c.WhenFixed))
                    checks.Add(new ConfigCheck(group.Key, name, $"the configuration its fix needs ({fixedRow.Source})", true));
                continue;
            }
            open.Add(Remedy(rows, group.Key, name, cu, effective, precision));
            foreach (var c in configRows.Where(c => !c.WhenFixed)) checks.Add(new ConfigCheck(group.Key, name, c.Check, false));
        }

        return new ExposureAssessment
        {
            Host = host, Build = build, Product = $"Exchange Server {product}", Cu = cu,
            Update = exactRow?.UpdateName ?? (cu is null ? null : build.CuOnly ? cu : $"{cu}, update not in the table"),
            Label = Label(product, cu, exactRow, precision, build), Precision = precision, Artifact = artifact, How = how,
            FirstSeen = firstSeen, LastSeen = lastSeen, OpenCves = open, ConfigChecks = checks,
            Advice = open.Count == 0 ? null : Advice(product, cveProduct, effective, open, precision),
            Headline = open.Where(o => o.Certain).Select(o => ChainName(o.Name)).FirstOrDefault(n => n is not null)
                ?? open.Select(o => ChainName(o.Name)).FirstOrDefault(n => n is not null),
            Notes = notes,
        };
    }

    private static CveRow? FixedBy(List<CveRow> rows, string? cu, ExchangeBuild b)
    {
        foreach (var r in rows)
        {
            if (r.FirstFixedBuild is not { } f) continue;
            if (cu is not null && r.Cu == cu && r.FirstFixedBuild.Value.SameCu(b) && b >= f) return r;
            if (r.IsCuFix && b >= f) return r;
        }
        // A CU later than every CU that received an update for it (HealthChecker: ≥ the newest CU's update build).
        var newest = rows.Where(r => r.IsSuFix && r.FirstFixedBuild is not null).MaxBy(r => r.FirstFixedBuild!.Value);
        if (newest is not null && b.Build > newest.FirstFixedBuild!.Value.Build) return newest;
        return null;
    }

    private static OpenCve Remedy(List<CveRow> rows, string cve, string name, string? cu, ExchangeBuild b, BuildPrecision precision)
    {
        var onThisCu = rows.FirstOrDefault(r => r.FirstFixedBuild is { } f && f.SameCu(b) && f > b);
        if (onThisCu is not null)
            return new OpenCve(cve, name, onThisCu.FixingUpdate, Blank(onThisCu.Kb), precision == BuildPrecision.Exact);
        var upgrade = rows.FirstOrDefault(r => cu is not null && r.Cu == cu && r.FirstFixedBuild is not null)
            ?? rows.Where(r => r.IsCuFix && r.FirstFixedBuild is { } f && f > b).MinBy(r => r.FirstFixedBuild!.Value);
        if (upgrade is not null)
        {
            var what = upgrade.FixingUpdate.StartsWith("upgrade", StringComparison.OrdinalIgnoreCase) ? upgrade.FixingUpdate : $"upgrade to {upgrade.FixingUpdate}";
            return new OpenCve(cve, name, what, Blank(upgrade.Kb), true);
        }
        var newest = rows.Where(r => r.FirstFixedBuild is not null).MaxBy(r => r.FirstFixedBuild!.Value);
        return newest is null
            ? new OpenCve(cve, name, "no fix listed", null, true)
            : new OpenCve(cve, name, $"upgrade to {newest.Cu} and install {newest.FixingUpdate}", Blank(newest.Kb), true);
    }

    private string Advice(string product, string cveProduct, ExchangeBuild b, List<OpenCve> open, BuildPrecision precision)
    {
        var onCu = tables.Builds.Where(r => r.Product == product && r.Build.SameCu(b)).MaxBy(r => r.Build);
        var closable = open.Where(o => tables.Cves.Any(r => r.Cve == o.Cve && r.Product == cveProduct && r.FirstFixedBuild is { } f
            && f.SameCu(b) && onCu is not null && f <= onCu.Build)).ToList();
        var first = onCu is null || closable.Count == 0 || onCu.Build <= b ? null
            : precision == BuildPrecision.Exact ? $"install {onCu.UpdateName}{Kb(onCu.Kb)}"
            : $"make sure {onCu.UpdateName}{Kb(onCu.Kb)} is installed";
        if (closable.Count == open.Count && first is not null) return first;
        var latestCu = tables.Builds.Where(r => r.Product == product && r.IsCuRelease).MaxBy(r => r.Build);
        var latestUpdate = latestCu is null ? null : tables.Builds.Where(r => r.Product == product && r.Build.SameCu(latestCu.Build)).MaxBy(r => r.Build);
        var upgrade = latestCu is null ? "upgrade to a later CU"
            : $"upgrade to {product} {latestCu.Cu}" + (latestUpdate is not null && latestUpdate != latestCu ? $" and install {latestUpdate.UpdateName}{Kb(latestUpdate.Kb)}" : "");
        return first is null ? upgrade : $"{first} now, then {upgrade}";
    }

    private static string Label(string product, string? cu, BuildRow? exactRow, BuildPrecision precision, ExchangeBuild build)
    {
        if (cu is null) return $"{product}, CU unknown";
        return precision switch
        {
            BuildPrecision.Cu => $"{product} {cu}, update level not visible",
            BuildPrecision.LowerBound when exactRow is not null => exactRow.IsCuRelease ? $"{product} {cu} or a later update" : $"{product} {exactRow.UpdateName} or later",
            BuildPrecision.LowerBound => $"{product} {cu}, at least revision {build.Revision}",
            _ when exactRow is null => $"{product} {cu}, update not in the table",
            _ when exactRow.IsCuRelease => $"{product} {cu}, no security update",
            _ => $"{product} {exactRow.UpdateName}",
        };
    }

    /// <summary>"ProxyLogon (pre-auth SSRF, HAFNIUM)" → ProxyLogon; descriptive names without a one-word chain name → null.</summary>
    private static string? ChainName(string name)
    {
        var head = name.Split(" (", 2)[0].Trim();
        return head.Length > 0 && !head.Contains(' ') && char.IsLetter(head[0]) ? head : null;
    }

    private static string? Blank(string s) => s.Length == 0 ? null : s;
    private static string Kb(string kb) => kb.Length == 0 ? "" : $" ({kb})";
}
