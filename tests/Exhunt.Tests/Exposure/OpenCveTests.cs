using Exhunt.Exposure;

namespace Exhunt.Tests.Exposure;

/// <summary>Open-CVE lists for builds on both sides of each fix.</summary>
public class OpenCveTests
{
    private static readonly ExposureEvaluator E = ExposureEvaluator.BuiltIn;

    private static ExposureAssessment Exact(string build) => E.Evaluate(ExchangeBuild.Parse(build), BuildPrecision.Exact);
    private static OpenCve? Open(ExposureAssessment a, string cve) => a.OpenCves.SingleOrDefault(c => c.Cve == cve);

    public static TheoryData<string, string> CusInScope => new()
    {
        { "2013", "CU23" }, { "2016", "CU19" }, { "2016", "CU20" }, { "2016", "CU22" }, { "2016", "CU23" },
        { "2019", "CU8" }, { "2019", "CU11" }, { "2019", "CU12" },
    };

    /// <summary>For every update of the CU that fixes a CVE: the build just before it is open to it, the update's own build is not.</summary>
    [Theory]
    [MemberData(nameof(CusInScope))]
    public void Each_update_closes_its_cves_and_the_build_before_it_is_open(string product, string cu)
    {
        var t = ExposureTables.BuiltIn;
        var builds = t.Builds.Where(b => b.Product == product && b.Cu == cu).OrderBy(b => b.Build).ToList();
        var fixes = t.Cves.Where(r => r.Product == product && r.Cu == cu && r.IsSuFix && r.FirstFixedBuild is not null).ToList();
        Assert.NotEmpty(fixes);
        foreach (var fix in fixes)
        {
            var before = builds.Last(b => b.Build < fix.FirstFixedBuild!.Value);
            var without = Exact(before.Build.ToString());
            var open = Open(without, fix.Cve);
            Assert.True(open is not null, $"{before.UpdateName} {before.Build} should be open to {fix.Cve}");
            Assert.True(open!.Certain);
            Assert.Equal(fix.FixingUpdate, open.FixedBy);
            var with = Exact(fix.FirstFixedBuild!.Value.ToString());
            Assert.Null(Open(with, fix.Cve));
        }
    }

    [Fact]
    public void Exchange_2016_cu19_without_its_update_is_open_to_proxylogon_and_proxyshell()
    {
        var a = Exact("15.01.2176.002");
        Assert.Equal("Exchange Server 2016", a.Product);
        Assert.Equal("CU19", a.Cu);
        Assert.Equal("2016 CU19, no security update", a.Label);
        foreach (var cve in new[] { "CVE-2021-26855", "CVE-2021-26857", "CVE-2021-26858", "CVE-2021-27065" })
            Assert.Equal("CU19 Mar21SU", Open(a, cve)!.FixedBy);
        Assert.Equal("KB5000871", Open(a, "CVE-2021-26855")!.Kb);
        Assert.Equal("CU19 Apr21SU", Open(a, "CVE-2021-34473")!.FixedBy);
        Assert.True(a.OpenCves.Count >= 10);
        Assert.Equal("ProxyLogon", a.Headline);
        var sentence = ExposureText.Sentence(a);
        Assert.StartsWith("the build 15.1.2176.2 (2016 CU19, no security update) is still open to ", sentence);
        Assert.Contains("including ProxyLogon: install CU19 May21SU (KB5003435)", sentence);
    }

    [Fact]
    public void Exchange_2016_cu19_march_update_closes_proxylogon_only()
    {
        var a = Exact("15.1.2176.9");
        Assert.Equal("2016 CU19 Mar21SU", a.Label);
        Assert.Null(Open(a, "CVE-2021-26855"));
        Assert.Null(Open(a, "CVE-2021-27065"));
        Assert.NotNull(Open(a, "CVE-2021-34473"));
        Assert.Equal("ProxyShell", a.Headline);
    }

    [Fact]
    public void Later_cu_includes_the_fix_and_the_remedy_for_an_old_cu_is_an_upgrade()
    {
        var cu20 = Exact("15.1.2242.4");
        Assert.Null(Open(cu20, "CVE-2021-26855"));
        Assert.Equal("CU20 Apr21SU", Open(cu20, "CVE-2021-34473")!.FixedBy);
        // CU19 never got the November 2022 update: only an upgrade closes ProxyNotShell.
        var cu19 = Exact("15.1.2176.14");
        Assert.StartsWith("upgrade to CU2", Open(cu19, "CVE-2022-41082")!.FixedBy);
        Assert.Contains("upgrade to 2016 CU23", cu19.Advice);
    }

    [Theory]
    [InlineData("15.1.2375.7", "15.1.2375.37")]   // 2016 CU22 / Nov22SU
    [InlineData("15.1.2507.6", "15.1.2507.16")]   // 2016 CU23 / Nov22SU
    [InlineData("15.2.986.5", "15.2.986.36")]     // 2019 CU11 / Nov22SU
    [InlineData("15.2.1118.7", "15.2.1118.20")]   // 2019 CU12 / Nov22SU
    [InlineData("15.0.1497.2", "15.0.1497.44")]   // 2013 CU23 / Nov22SU
    public void Proxynotshell_and_owassrf_open_before_the_november_2022_update_and_closed_after(string without, string with)
    {
        var a = Exact(without);
        foreach (var cve in new[] { "CVE-2022-41040", "CVE-2022-41082", "CVE-2022-41080" })
            Assert.NotNull(Open(a, cve));
        Assert.Contains(a.ConfigChecks, c => c.Cve == "CVE-2022-41040" && !c.BuildFixed);
        var b = Exact(with);
        foreach (var cve in new[] { "CVE-2022-41040", "CVE-2022-41082", "CVE-2022-41080" })
            Assert.Null(Open(b, cve));
    }

    [Theory]
    [InlineData("15.2.792.3", true)]
    [InlineData("15.2.792.10", false)]
    [InlineData("15.0.1497.2", true)]
    [InlineData("15.0.1497.12", false)]
    public void Proxylogon_on_2019_cu8_and_2013_cu23(string build, bool open) =>
        Assert.Equal(open, Open(Exact(build), "CVE-2021-26855") is not null);

    [Fact]
    public void Extended_protection_fix_needs_a_configuration_check_not_open_or_closed()
    {
        var cu14 = Exact("15.2.1544.4");
        Assert.Null(Open(cu14, "CVE-2024-21410"));
        Assert.Contains(cu14.ConfigChecks, c => c.Cve == "CVE-2024-21410" && c.BuildFixed && c.Check.Contains("Extended Protection"));
        var mar24 = Exact("15.1.2507.37");
        Assert.Contains(mar24.ConfigChecks, c => c.Cve == "CVE-2024-21410" && c.BuildFixed);
        Assert.Contains(mar24.ConfigChecks, c => c.Cve == "CVE-2023-36439" && c.BuildFixed && c.Check.Contains("serialization"));
        Assert.NotNull(Open(Exact("15.1.2507.35"), "CVE-2024-21410"));
        Assert.Contains("configuration check", ExposureText.Sentence(mar24));
    }

    [Fact]
    public void A_cu_only_build_is_possibly_open_to_what_an_update_of_its_cu_closes_and_certainly_open_to_the_rest()
    {
        var a = E.Evaluate(ExchangeBuild.Parse("15.1.2176"), BuildPrecision.Cu);
        Assert.Equal("2016 CU19, update level not visible", a.Label);
        Assert.False(Open(a, "CVE-2021-26855")!.Certain);
        Assert.True(Open(a, "CVE-2022-41082")!.Certain);
        var lower = E.Evaluate(ExchangeBuild.Parse("15.1.2176.9"), BuildPrecision.LowerBound);
        Assert.Null(Open(lower, "CVE-2021-26855"));
        Assert.False(Open(lower, "CVE-2021-34473")!.Certain);
        Assert.Contains("make sure CU19 May21SU (KB5003435) is installed", lower.Advice);
    }

    [Fact]
    public void Old_cu_march_2021_update_closes_proxylogon_but_not_older_cves()
    {
        var a = Exact("15.1.1415.10"); // 2016 CU8 Mar21SU
        Assert.Null(Open(a, "CVE-2021-26855"));
        Assert.NotNull(Open(a, "CVE-2020-0688"));
        var alias = Exact("15.1.1415.8"); // HealthChecker's number for the same update
        Assert.Null(Open(alias, "CVE-2021-26855"));
        Assert.Contains(alias.Notes, n => n.Contains("15.1.1415.10"));
    }

    [Fact]
    public void Newest_builds_and_subscription_edition_have_nothing_open()
    {
        Assert.Empty(Exact("15.2.2562.17").OpenCves);
        Assert.Empty(Exact("15.1.2507.66").OpenCves);
        Assert.Contains("carries the fix for every CVE", ExposureText.Sentence(Exact("15.1.2507.66")));
    }

    [Fact]
    public void Builds_outside_the_table_are_said_so()
    {
        var unknown = Exact("15.1.2176.99");
        Assert.Contains(unknown.Notes, n => n.Contains("revision 99"));
        Assert.Null(Open(unknown, "CVE-2021-26855"));
        var notExchange = Exact("14.3.513.0");
        Assert.Null(notExchange.Product);
        Assert.Empty(notExchange.OpenCves);
    }
}
