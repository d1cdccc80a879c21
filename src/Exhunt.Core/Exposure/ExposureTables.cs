using Exhunt.Data;

namespace Exhunt.Exposure;

/// <summary>One Exchange build: a CU or a security/hotfix update of that CU (Data/exposure/builds.csv).</summary>
public sealed record BuildRow(string Product, string Cu, ExchangeBuild Build, string ReleaseDate, string UpdateName, string Kb, string Source)
{
    /// <summary>The CU release itself, not an update on top of it.</summary>
    public bool IsCuRelease => UpdateName == Cu || UpdateName.StartsWith(Cu + " (", StringComparison.Ordinal);
}

/// <summary>Which build fixes a CVE on one CU line of a product (Data/exposure/cves.csv).</summary>
public sealed record CveRow(string Cve, string Name, string Product, string Cu, ExchangeBuild? FirstFixedBuild,
    string FixingUpdate, string Kb, string FixReleaseDate, string FixType, string Source)
{
    public bool IsCuFix => FixType.StartsWith("CU", StringComparison.Ordinal);
    public bool IsSuFix => FixType.StartsWith("SU", StringComparison.Ordinal);
    public bool NeedsConfig => FixType.EndsWith("+config", StringComparison.Ordinal);
}

/// <summary>A CVE whose fix also rests on configuration (Data/exposure/config-checks.csv).</summary>
public sealed record ConfigCheckRow(string Cve, bool WhenFixed, string Check, string Source);

/// <summary>A build that one source numbers differently for the same update (Data/exposure/build-aliases.csv).</summary>
public sealed record BuildAlias(string Product, ExchangeBuild Build, ExchangeBuild SameAs, string Source);

/// <summary>The build and CVE tables shipped with exhunt, loaded once.</summary>
public sealed class ExposureTables
{
    private static readonly Lazy<ExposureTables> _builtIn = new(() => Load(name => DataFiles.ReadText("exposure/" + name)));

    public static ExposureTables BuiltIn => _builtIn.Value;

    public required IReadOnlyList<BuildRow> Builds { get; init; }
    public required IReadOnlyList<CveRow> Cves { get; init; }
    public required IReadOnlyList<ConfigCheckRow> ConfigChecks { get; init; }
    public required IReadOnlyList<BuildAlias> Aliases { get; init; }
    /// <summary>"builds 2026.12.05.1 (2026-12-05), cves ..." — what the report names as its data.</summary>
    public required string Version { get; init; }

    public static ExposureTables Load(Func<string, string> read)
    {
        var builds = CsvTable.Parse("builds.csv", read("builds.csv"));
        var cves = CsvTable.Parse("cves.csv", read("cves.csv"));
        var checks = CsvTable.Parse("config-checks.csv", read("config-checks.csv"));
        var aliases = CsvTable.Parse("build-aliases.csv", read("build-aliases.csv"));
        return new ExposureTables
        {
            Builds = builds.Rows.Select(r => new BuildRow(r["product"], r["cu"], ParseBuild(builds, r, "build")!.Value,
                r["release_date"], r["update_name"], r["kb"], r["source"])).ToList(),
            Cves = cves.Rows.Select(r => new CveRow(r["cve"], r["name"], r["product"], r["cu"], ParseBuild(cves, r, "first_fixed_build"),
                r["fixing_update"], r["kb"], r["fix_release_date"], r["fix_type"], r["source"])).ToList(),
            ConfigChecks = checks.Rows.Select(r => new ConfigCheckRow(r["cve"], r["when"] switch
            {
                "fixed" => true,
                "open" => false,
                var w => throw new FormatException($"config-checks.csv line {r.Line}: when must be fixed or open (got '{w}')"),
            }, r["check"], r["source"])).ToList(),
            Aliases = aliases.Rows.Select(r => new BuildAlias(r["product"], ParseBuild(aliases, r, "build")!.Value,
                ParseBuild(aliases, r, "same_as")!.Value, r["source"])).ToList(),
            Version = string.Join(", ", new[] { builds, cves, checks, aliases }.Select(t => $"{t.Name} {t.Version ?? "?"} ({t.Date ?? "?"})")),
        };
    }

    private static ExchangeBuild? ParseBuild(CsvTable table, CsvRow row, string column)
    {
        var text = row[column];
        if (text.Length == 0) return null;
        if (!ExchangeBuild.TryParse(text, out var b) || b.CuOnly)
            throw new FormatException($"{table.Name} line {row.Line}: {column} '{text}' is not a 4-part build");
        return b;
    }

    /// <summary>Product line whose CVE rows apply: SE is the continuation of the 2019 code line.</summary>
    public static string CveProductFor(string product) => product == "SE" ? "2019" : product;
}
