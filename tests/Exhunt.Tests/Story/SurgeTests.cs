using Exhunt.Story;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Story;

public class SurgeTests
{
    [Fact]
    public void A_six_hour_surge_after_days_of_baseline_is_found_with_its_window()
    {
        var surgeStart = new DateTime(2021, 2, 10, 2, 0, 0, DateTimeKind.Utc); // a Wednesday night
        using var dir = new Fixture.TempDir();
        var result = new TrafficFixture { Days = 14, Surge = (surgeStart, 6, 900, 400) }.Scan(dir);

        var surges = Surge.Surges(result);
        var s = Assert.Single(surges);
        Assert.False(string.IsNullOrEmpty(s.Host)); // the collection host once the layout names it; "unknown" until then
        Assert.InRange(s.Start, surgeStart.AddHours(-1), surgeStart.AddHours(1));
        Assert.InRange(s.End, surgeStart.AddHours(5), surgeStart.AddHours(7));
        Assert.True(s.Factor >= 4, $"factor {s.Factor}");
        Assert.InRange(s.Requests, 6 * 900, 6 * 900 + 1000);
        Assert.True(s.DistinctIps >= 400, $"distinct {s.DistinctIps}");
        Assert.True(s.NewExternalIps >= 390, $"new {s.NewExternalIps}");
        Assert.Contains("volume", s.Reasons);
        Assert.Contains(s.TopUserAgents, u => u.Value == "python-requests/2.25.1");
        Assert.Contains(s.TopPaths, p => p.Value == "/ecp/y.js");
        Assert.Contains(s.Attempts, id => result.Findings.Any(f => f.Id == id));
        Assert.StartsWith("Surge on " + s.Host, s.Sentence());
    }

    [Fact]
    public void The_prefilter_changes_no_count()
    {
        var surgeStart = new DateTime(2021, 2, 10, 2, 0, 0, DateTimeKind.Utc);
        using var a = new Fixture.TempDir();
        using var b = new Fixture.TempDir();
        var fixture = new TrafficFixture { Days = 5, Surge = (surgeStart, 2, 100, 50) };
        var on = fixture.Scan(a, prefilter: true).Traffic!.PerHost().Single();
        var off = fixture.Scan(b, prefilter: false).Traffic!.PerHost().Single();
        Assert.Equal(off.Requests, on.Requests);
        Assert.Equal(off.FirstSeen.Count, on.FirstSeen.Count);
        Assert.Equal(off.Hours.Keys, on.Hours.Keys);
        foreach (var (hour, t) in off.Hours)
        {
            Assert.Equal(t.ByClass, on.Hours[hour].ByClass);
            Assert.Equal(t.Ips.Count, on.Hours[hour].Ips.Count);
            Assert.Equal(t.UserAgents.OrderBy(kv => kv.Key), on.Hours[hour].UserAgents.OrderBy(kv => kv.Key));
        }
    }

    [Fact]
    public void Quiet_weeks_are_not_a_surge_when_normal_weeks_follow()
    {
        using var dir = new Fixture.TempDir();
        var f = new TrafficFixture { Days = 28 };
        f.WeekFactor[1] = 0.3; // the Christmas week
        Assert.Empty(Surge.Surges(f.Scan(dir)));
    }

    [Fact]
    public void Two_weeks_one_of_them_quiet_is_not_a_surge()
    {
        using var dir = new Fixture.TempDir();
        var f = new TrafficFixture { Days = 14 };
        f.WeekFactor[0] = 0.35;
        Assert.Empty(Surge.Surges(f.Scan(dir)));
    }

    [Fact]
    public void Holidays_are_not_a_surge()
    {
        using var dir = new Fixture.TempDir();
        var f = new TrafficFixture { Days = 21 };
        f.DayFactor[2] = 0.15; f.DayFactor[3] = 0.15; f.DayFactor[10] = 0.1;
        Assert.Empty(Surge.Surges(f.Scan(dir)));
    }

    [Fact]
    public void A_single_busy_Monday_is_not_a_surge()
    {
        using var dir = new Fixture.TempDir();
        var f = new TrafficFixture { Days = 14 };
        f.DayFactor[7] = 2.5; // the Monday after a long weekend
        Assert.Empty(Surge.Surges(f.Scan(dir)));
    }

    [Fact]
    public void A_few_days_of_logs_are_too_little_to_judge()
    {
        using var dir = new Fixture.TempDir();
        var f = new TrafficFixture { Days = 2, Surge = (new DateTime(2021, 2, 2, 2, 0, 0, DateTimeKind.Utc), 3, 900, 300) };
        Assert.Empty(Surge.Surges(f.Scan(dir)));
    }

    [Fact]
    public void Back_end_site_requests_are_not_counted_twice()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("EX01/inetpub/logs/LogFiles/W3SVC2/u_ex210201.log", WebRules.WebLog.Iis(
            "2021-02-01 10:00:00 10.0.0.5 GET /owa/ - 444 - 10.0.0.5 Mozilla - 200 0 0 1"));
        dir.Write("EX01/inetpub/logs/LogFiles/W3SVC1/u_ex210201.log", WebRules.WebLog.Iis(
            "2021-02-01 10:00:00 10.0.0.5 GET /owa/ - 443 - 81.2.3.4 Mozilla - 200 0 0 1"));
        var result = new Exhunt.Scanning.Scanner(new Exhunt.Scanning.ScanOptions()).Scan(dir.Path);
        var t = Assert.Single(result.Traffic!.PerHost());
        Assert.Equal(1, t.Requests);
        Assert.Equal(1, t.Hours.Single().Value.ByClass[(int)EndpointClass.Owa]);
    }
}
