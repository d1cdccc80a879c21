using Exhunt.Exposure;

namespace Exhunt.Tests.Exposure;

public class ExposureTablesTests
{
    private static readonly ExposureTables T = ExposureTables.BuiltIn;

    [Fact]
    public void Every_row_parses_and_the_tables_have_a_version_and_date()
    {
        Assert.True(T.Builds.Count > 250, $"{T.Builds.Count} build rows");
        Assert.True(T.Cves.Count > 200, $"{T.Cves.Count} CVE rows");
        Assert.DoesNotContain("?", T.Version);
        Assert.Matches(@"builds\.csv \d{4}\.\d{2}\.\d{2}\.\d+ \(\d{4}-\d{2}-\d{2}\)", T.Version);
        Assert.All(T.Builds, r => Assert.False(string.IsNullOrWhiteSpace(r.Source), $"{r.Build} names no source"));
        Assert.All(T.Cves, r => Assert.False(string.IsNullOrWhiteSpace(r.Source), $"{r.Cve} {r.Product} {r.Cu} names no source"));
        Assert.All(T.ConfigChecks, r => Assert.False(string.IsNullOrWhiteSpace(r.Source)));
        Assert.All(T.Builds, r => Assert.Contains(r.Product, new[] { "2013", "2016", "2019", "SE" }));
        Assert.All(T.Cves, r => Assert.Matches(@"^CVE-\d{4}-\d{4,}$", r.Cve));
        Assert.All(T.Cves, r => Assert.Contains(r.FixType, new[] { "SU", "CU", "none", "SU+config", "CU+config" }));
    }

    [Fact]
    public void Builds_are_unique_per_product_cu_and_update_and_per_number()
    {
        var byUpdate = T.Builds.GroupBy(r => (r.Product, r.Cu, r.UpdateName)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(byUpdate);
        var byNumber = T.Builds.GroupBy(r => (r.Product, r.Build)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(byNumber);
        // Every CU has exactly one release row, and every update of a CU shares its major.minor.build.
        foreach (var cu in T.Builds.GroupBy(r => (r.Product, r.Cu)))
        {
            Assert.Single(cu, r => r.IsCuRelease);
            Assert.Single(cu.Select(r => (r.Build.Major, r.Build.Minor, r.Build.Build)).Distinct());
        }
        Assert.All(T.Builds, r => Assert.Equal(r.Product, r.Build.Product));
    }

    [Fact]
    public void Every_cve_row_names_a_build_that_exists_and_the_tables_agree()
    {
        foreach (var row in T.Cves.Where(r => r.FirstFixedBuild is not null))
        {
            var build = T.Builds.SingleOrDefault(b => b.Product == row.Product && b.Build == row.FirstFixedBuild);
            Assert.True(build is not null, $"{row.Cve} {row.Product} {row.Cu}: {row.FirstFixedBuild} is not in builds.csv");
            if (row.IsSuFix)
            {
                Assert.Equal(row.Cu, build!.Cu);
                Assert.Equal(row.FixingUpdate, build.UpdateName);
            }
            if (row.Kb.Length > 0 && build!.Kb.Length > 0) Assert.Equal(row.Kb, build.Kb);
        }
        // "none" rows say no later CU exists: their product has SU rows that fix it.
        foreach (var none in T.Cves.Where(r => r.FixType == "none"))
            Assert.Contains(T.Cves, r => r.Cve == none.Cve && r.Product == none.Product && r.IsSuFix);
        Assert.All(T.ConfigChecks, c => Assert.Contains(T.Cves, r => r.Cve == c.Cve));
        Assert.All(T.Aliases, a => Assert.Contains(T.Builds, b => b.Product == a.Product && b.Build == a.SameAs));
    }

    [Fact]
    public void A_malformed_table_is_a_clear_error()
    {
        var good = (string name) => Exhunt.Data.DataFiles.ReadText("exposure/" + name);
        var e = Assert.Throws<FormatException>(() => ExposureTables.Load(n => n == "builds.csv" ? "product,cu,build,release_date,update_name,kb,source\n2016,CU19,15.1.x,2020-12-15,CU19,,src\n" : good(n)));
        Assert.Contains("builds.csv line 2", e.Message);
        e = Assert.Throws<FormatException>(() => ExposureTables.Load(n => n == "cves.csv" ? "cve,name\n\"unterminated,x\n" : good(n)));
        Assert.Contains("cves.csv line 2", e.Message);
    }

    [Theory]
    [InlineData("15.1.2176.2", "15.1.2176.2")]
    [InlineData("15.01.2176.002", "15.1.2176.2")]
    [InlineData(" 15.02.0792.010 ", "15.2.792.10")]
    [InlineData("15.1.2176", "15.1.2176")]
    public void Builds_parse_short_and_long_forms(string text, string expected) =>
        Assert.Equal(expected, ExchangeBuild.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("15.1")]
    [InlineData("15.1.2176.2.1")]
    [InlineData("15.1.-2.3")]
    [InlineData("15.1.2176.2x")]
    [InlineData("99999999999.1.1.1")]
    public void Junk_is_not_a_build(string text) => Assert.False(ExchangeBuild.TryParse(text, out _));
}
