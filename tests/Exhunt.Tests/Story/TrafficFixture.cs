using System.Text;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Story;

/// <summary>
/// Writes days of front-end IIS logs (W3SVC1, one u_exYYMMDD.log per day, the default Exchange field list) with an
/// office-hours profile: busy working days, quiet nights and weekends, a steady set of staff and phones, and a few
/// new outside clients a day. Deterministic (seeded).
/// </summary>
internal sealed class TrafficFixture
{
    public DateTime Start { get; init; } = new(2021, 2, 1, 0, 0, 0, DateTimeKind.Utc); // a Monday
    public int Days { get; init; } = 14;
    public int WorkHourRequests { get; init; } = 150;
    public int Seed { get; init; } = 7;
    /// <summary>Day (from 0) → volume multiplier for that whole day (holiday 0.2, busy Monday 2.5 ...).</summary>
    public Dictionary<int, double> DayFactor { get; } = new();
    /// <summary>Week (from 0) → multiplier.</summary>
    public Dictionary<int, double> WeekFactor { get; } = new();
    /// <summary>Extra attack traffic: start, hours, requests per hour, distinct new outside clients.</summary>
    public (DateTime Start, int Hours, int PerHour, int Clients)? Surge { get; init; }
    public string Host { get; init; } = "EX01";

    private static readonly string[] Paths = ["/owa/", "/owa/service.svc", "/mapi/emsmdb/", "/EWS/Exchange.asmx", "/Microsoft-Server-ActiveSync/default.eas", "/Autodiscover/Autodiscover.xml", "/OAB/oab.xml", "/rpc/rpcproxy.dll"];
    private static readonly string[] Agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.190 Safari/537.36", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801; Pro)", "Apple-iPhone12C1/1802.67", "Outlook-iOS/723.4027091.prod.iphone (4.2105.0)"];

    public void Write(Fixture.TempDir dir)
    {
        var rng = new Random(Seed);
        for (var d = 0; d < Days; d++)
        {
            var day = Start.AddDays(d);
            var sb = new StringBuilder();
            sb.Append("#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: ")
              .Append(day.ToString("yyyy-MM-dd HH:mm:ss")).Append("\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n");
            for (var h = 0; h < 24; h++)
            {
                var hour = day.AddHours(h);
                var weekend = hour.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
                double rate = h is >= 7 and < 18 ? (weekend ? 0.15 : 1.0) : (weekend ? 0.05 : 0.1);
                rate *= DayFactor.GetValueOrDefault(d, 1.0) * WeekFactor.GetValueOrDefault(d / 7, 1.0);
                var n = (int)Math.Round(WorkHourRequests * rate * (0.85 + 0.3 * rng.NextDouble())) + 3;
                var lines = new List<(DateTime, string)>();
                for (var i = 0; i < n; i++)
                {
                    var t = hour.AddSeconds(rng.Next(3600));
                    var phone = rng.Next(4) == 0;
                    var ip = phone ? $"81.2.{rng.Next(4)}.{rng.Next(1, 40)}" : $"10.0.{rng.Next(2)}.{rng.Next(1, 200)}";
                    // a few new outside clients every hour (travel, home networks)
                    if (rng.Next(60) == 0) ip = $"{rng.Next(11, 200)}.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(1, 255)}";
                    lines.Add((t, Line(t, "GET", Paths[rng.Next(Paths.Length)], "domain\\user" + rng.Next(50), ip, Agents[rng.Next(Agents.Length)], 200)));
                }
                if (Surge is { } s && hour >= s.Start && hour < s.Start.AddHours(s.Hours))
                {
                    for (var i = 0; i < s.PerHour; i++)
                    {
                        var t = hour.AddSeconds(rng.Next(3600));
                        var client = rng.Next(s.Clients);
                        var ip = $"203.{client / 250}.{client % 250}.{7}";
                        var path = i % 3 == 0 ? "/ecp/y.js" : i % 3 == 1 ? "/owa/auth/x.js" : "/autodiscover/autodiscover.json";
                        lines.Add((t, Line(t, "POST", path, null, ip, "python-requests/2.25.1", 500)));
                    }
                }
                foreach (var (_, l) in lines.OrderBy(x => x.Item1)) sb.Append(l).Append("\r\n");
            }
            dir.Write($"{Host}/inetpub/logs/LogFiles/W3SVC1/u_ex{day:yyMMdd}.log", sb.ToString());
        }
    }

    private static string Line(DateTime t, string method, string stem, string? user, string ip, string ua, int status) =>
        $"{t:yyyy-MM-dd HH:mm:ss} 10.0.0.5 {method} {stem} - 443 {user ?? "-"} {ip} {ua.Replace(' ', '+')} - {status} 0 0 {15}";

    public ScanResult Scan(Fixture.TempDir dir, bool prefilter = true)
    {
        Write(dir);
        return new Scanner(new ScanOptions { MaxParallelism = 2, LinePrefilter = prefilter }).Scan(dir.Path);
    }
}
