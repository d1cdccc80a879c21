using System.Text;
using Exhunt.Demo;
using Exhunt.Evidence;
using Exhunt.Scanning;
using Exhunt.Tests.Demo;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Matching;

/// <summary>
/// The byte block path (ScanOptions.BlockMatcher) changes nothing: the same findings, counts, coverage, reader stats and
/// traffic as the char prefilter and as no prefilter at all, on the demo set, every collection layout and hostile lines.
/// </summary>
public sealed class BlockPathTests(DemoSet set) : IClassFixture<DemoSet>
{
    private static string Stats(ScanResult r) => string.Join("\n", r.Artifacts.OrderBy(a => a.File.RelativePath, StringComparer.Ordinal)
        .Select(a => $"{a.File.RelativePath} {a.File.Kind} {a.Stats.Records} {a.Stats.Skipped} {a.Stats.Unparsed} {a.Stats.First:O} {a.Stats.Last:O} {string.Join("|", a.Stats.Errors)}"));

    private static string Traffic(ScanResult r) => string.Join("\n", r.Traffic!.PerHost().SelectMany(h => h.Hours.Select(kv =>
        $"{h.Host} {h.Source} {kv.Key:O} {string.Join(",", kv.Value.ByClass)} {kv.Value.Ips.Count} " +
        string.Join(",", kv.Value.Paths.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)) + " " +
        string.Join(",", kv.Value.UserAgents.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)))));

    private static void AssertSame(ScanResult expected, ScanResult actual)
    {
        Assert.Equal(LogLines.Describe(expected.Findings), LogLines.Describe(actual.Findings));
        Assert.Equal(expected.Coverage, actual.Coverage);
        Assert.Equal(expected.Story.Verdict, actual.Story.Verdict);
        Assert.Equal(Stats(expected), Stats(actual));
        Assert.Equal(Traffic(expected), Traffic(actual));
    }

    private static ScanResult Scan(string path, bool prefilter, bool block, long searchAheadFrom = long.MaxValue) =>
        new Scanner(new ScanOptions { LinePrefilter = prefilter, BlockMatcher = block, MaxParallelism = 2, SearchAheadFrom = searchAheadFrom }).Scan(path);

    [Fact]
    public void The_demo_evidence_scans_alike_with_the_block_matcher_on_and_off()
    {
        var block = Scan(set.Folder, true, true);
        Assert.NotEmpty(block.Findings);
        AssertSame(Scan(set.Folder, true, false), block);
        AssertSame(Scan(set.Folder, false, false), block);
        // Every file searched ahead on a second thread, as a large file is.
        AssertSame(block, Scan(set.Folder, true, true, searchAheadFrom: 0));
    }

    public static TheoryData<string> Layouts() => new(DemoLayout.All.Select(l => l.Name));

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_collection_layout_scans_alike_with_the_block_matcher_on_and_off(string layoutName)
    {
        using var dir = new Fixture.TempDir();
        DemoEvidence.Write(dir.Path, new DemoOptions { Days = 1, RequestsPerDay = 300, Seed = 77, Layout = DemoLayout.All.Single(l => l.Name == layoutName) });
        AssertSame(Scan(dir.Path, true, false), Scan(dir.Path, true, true));
    }

    /// <summary>Lines the fast path must hand back to the full one, spread over several 64 KiB buffers, so lines and
    /// literals straddle the block edges; LogLines.Run asserts prefilter off, chars and bytes agree.</summary>
    [Fact]
    public void Hostile_and_odd_lines_across_block_edges_give_the_same_stats_and_findings()
    {
        var rng = new Random(5);
        const string head = "#Software: Microsoft Exchange Server\n#Version: 15.01.2176.002\n#Log-type: HttpProxy Logs\n#Date: 2021-03-03T02:00:00.000Z\n";
        const string fields = "#Fields: DateTime,RequestId,UrlStem,UserAgent,ClientIpAddress,ServerHostName,AnchorMailbox,RoutingHint\n";
        var odd = new[]
        {
            "2021-03-03T02:00:01.000Z,\"quoted, value\",/owa/,Mozilla/5.0,10.0.0.1,EXCH01,,",
            "2021-03-03T02:00:01.000Z,\"unterminated,/owa/,Mozilla/5.0",
            "DateTime,RequestId,UrlStem,UserAgent,ClientIpAddress,ServerHostName,AnchorMailbox,RoutingHint",
            "no separators at all",
            "2021-13-03T02:00:01.000Z,1,/owa/,x,10.0.0.1,EXCH01,,",
            "2009-03-03T02:00:01.000Z,1,/owa/,x,10.0.0.1,EXCH01,,",
            "2021-03-03T02:00:01+01:00,1,/owa/,x,10.0.0.1,EXCH01,,",
            "2021-03-03T02:00:01.0000000Z,1,/owa/,x,10.0.0.1,EXCH01,,",
            "2021-03-03T02:00:01.000Z,1,/owa/caf\u00e9,x\u00e9,10.0.0.1,EXCH01,,",
            "2021\u00e9-03-03T02:00:01.000Z,1,/owa/,x,10.0.0.1,EXCH01,,",
            "2021-03-03T02:00:01.000Z,1,/ecp/y.js,python-requests/2.25.1,104.140.114.110,EXCH01,X-BEResource-Cookie,ServerInfo~a]@EXCH01:444/ecp/proxyLogon.ecp#~1941962753",
            "2021-03-03T02:00:01.000Z,1,/autodiscover/autodiscover.json,x,10.0.0.1,EXCH01,autodiscover.json?@evil.com/owa/&Email=autodiscover/autodiscover.json%3F@evil.com,",
            "\u0000binary\u0000",
            "#Fields: DateTime,UrlStem,UserAgent",
            "2021-03-03T02:00:02.000Z,/owa/,Mozilla/5.0",
            fields.TrimEnd('\n'),
            "",
            "   ",
        };
        var sb = new StringBuilder(head + fields);
        var t = new DateTime(2021, 3, 3, 2, 0, 0, DateTimeKind.Utc);
        while (sb.Length < 300_000)
        {
            if (rng.Next(20) == 0) sb.Append(odd[rng.Next(odd.Length)]);
            else
            {
                t = t.AddSeconds(rng.Next(3));
                sb.Append($"{t:yyyy-MM-ddTHH:mm:ss.fff}Z,{rng.Next()},/owa/{new string('x', rng.Next(0, 3000))},Mozilla/5.0,10.0.{rng.Next(3)}.{rng.Next(9)},EXCH01,,");
            }
            sb.Append(rng.Next(2) == 0 ? "\r\n" : "\n");
        }
        var stats = new Exhunt.Readers.ReaderStats();
        LogLines.Run("Logging/HttpProxy/Ecp/HttpProxy_2021030302-1.LOG", sb.ToString(), ArtifactKind.HttpProxy);
        Assert.NotEmpty(LogLines.Detect("Logging/HttpProxy/Ecp/HttpProxy_2021030302-1.LOG", sb.ToString(), ArtifactKind.HttpProxy));

        var iis = new StringBuilder("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n" +
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n");
        var iisOdd = new[]
        {
            "2021-03-03 04:12:56 10.0.0.5 POST /ecp/y.js - 443 - 104.140.114.110 python-requests/2.25.1 - 200 0 0 62",
            "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
            "2021-03-03 - 10.0.0.5 GET /owa/ - 443 - 1.2.3.4 - - 200 0 0 1",
            "#Fields: time date s-ip cs-uri-stem",
            "04:00:00 2021-03-03 10.0.0.5 /owa/",
            "2021-03-03 04:12:56 10.0.0.5 GET /owa/auth/x.js - 444 - 10.0.0.5 Mozilla/5.0+(Windows) - 200 0 0 62",
        };
        while (iis.Length < 200_000)
        {
            iis.Append(rng.Next(15) == 0 ? iisOdd[rng.Next(iisOdd.Length)]
                : $"2021-03-03 04:{rng.Next(60):00}:{rng.Next(60):00} 10.0.0.5 GET /owa/{new string('y', rng.Next(0, 2000))} - 443 - 198.51.100.{rng.Next(9)} Mozilla/5.0+(Windows+NT) - 200 0 0 62");
            iis.Append("\r\n");
        }
        LogLines.Run("C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", iis.ToString(), ArtifactKind.Iis);
    }

    /// <summary>A BOM, a line over the read-ahead's 4 MiB window and one over the reader's 1 MiB limit, with literals
    /// in and around them: the search run ahead agrees with the reader's own (LogLines.Run runs both).</summary>
    [Fact]
    public void Overlong_lines_and_a_bom_read_alike_with_the_search_run_ahead()
    {
        const string fields = "#Fields: DateTime,RequestId,UrlStem,UserAgent,ClientIpAddress,ServerHostName,AnchorMailbox,RoutingHint\n";
        const string hit = "2021-03-03T02:00:01.000Z,1,/ecp/y.js,python-requests/2.25.1,104.140.114.110,EXCH01,X-BEResource-Cookie,ServerInfo~a]@EXCH01:444/ecp/proxyLogon.ecp#~1941962753\n";
        const string plain = "2021-03-03T02:00:02.000Z,2,/owa/,Mozilla/5.0,10.0.0.1,EXCH01,,\n";
        var text = "\uFEFF" + fields + hit + plain + "2021-03-03T02:00:03.000Z,3,/owa/" + new string('a', 5 << 20) + "ServerInfo~,x,10.0.0.1,EXCH01,,\n"
            + hit + plain + "2021-03-03T02:00:04.000Z,4,/owa/" + new string('b', (1 << 20) + 10) + "\n" + plain + hit.TrimEnd('\n');
        var (findings, _, _) = LogLines.Run("Logging/HttpProxy/Ecp/HttpProxy_2021030302-1.LOG", text, ArtifactKind.HttpProxy);
        Assert.NotEmpty(findings);
    }
}
