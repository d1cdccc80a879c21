using Exhunt.Readers;
using Exhunt.Story;
using Exhunt.Tests.Support;
using Exhunt.Tests.WebRules;

namespace Exhunt.Tests.Story;

/// <summary>The surge counter sees every web-log line: once a file's clients, paths and agents are known, a line
/// must not allocate, whether the reader split it or (prefilter) only timed it. Counts stay exact either way.</summary>
public class TrafficAllocationTests
{
    private static readonly string[] IisLines =
    [
        "2021-03-05 03:06:27 10.0.0.5 GET /owa/auth/logon.aspx url=x&CorrelationID=<empty>;&cafeReqId=cde28fc4; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 133",
        "2021-03-05 03:16:28 10.0.0.5 POST /mapi/emsmdb/ mailboxId=0e36a769@contoso.com&CorrelationID=<empty>;&cafeReqId=cde28fc4; 443 CONTOSO\\bob 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 15",
        "2021-03-05 03:26:30 10.0.0.5 GET /Autodiscover/autodiscover.xml Protocol=EWS&CorrelationID=<empty>;&cafeReqId=12d6; 443 - 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 5",
        "2021-03-05 03:36:31 10.0.0.5 POST /ecp/DDI/DDIService.svc/GetList schema=MailboxService&CorrelationID=<empty>;&cafeReqId=12d6; 443 CONTOSO\\admin 10.1.2.9 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 55",
        "2021-03-05 03:46:32 10.0.0.5 POST /OWA/service.svc action=GetItem&CorrelationID=<empty>;&cafeReqId=12d6; 443 CONTOSO\\bob 10.1.2.3 Mozilla/5.0 - 200 0 0 60",
        "2021-03-05 03:56:33 10.0.0.5 POST /powershell clientApplication=ActiveMonitor&CorrelationID=<empty>;&cafeReqId=12d6; 443 CONTOSO\\SM_1 10.0.0.5 Microsoft+WinRM+Client - 200 0 0 60",
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_known_line_does_not_allocate_in_the_counter(bool prefilter)
    {
        const int lines = 3000;
        var file = Fixture.File(WebLog.IisPath, WebLog.Iis(Enumerable.Range(0, lines).Select(i => IisLines[i % IisLines.Length]).ToArray()));
        var filter = prefilter ? WebLog.Rules.LinePrefilterFor(file.Kind) : null;
        if (prefilter) Assert.NotNull(filter);
        var traffic = new Traffic();
        var counter = traffic.CounterFor(file)!;
        // One counter reads the file four times: the first read meets every value (the file's tables grow), the next
        // must not allocate. The least of three runs, as in the rules' allocation tests.
        var reads = 0;
        void Read(Action<LogRecord, bool> every)
        {
            reads++;
            using var s = file.Open();
            new TextLogReader(file, new ReaderStats()).Read(s, _ => { }, filter is null ? null : filter.FindLines, every);
        }
        Read(counter.Observe);
        var least = long.MaxValue;
        for (var run = 0; run < 3 && least > 0; run++)
        {
            long allocated = 0;
            Read((r, split) =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                counter.Observe(r, split);
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            });
            least = Math.Min(least, allocated);
        }
        Assert.Equal(0, least);

        counter.Complete();
        var host = Assert.Single(traffic.PerHost());
        var hour = Assert.Single(host.Hours.Values);
        Assert.Equal(lines * reads, hour.Requests);
        Assert.Equal(lines / 6 * reads, hour.ByClass[(int)EndpointClass.Ecp]);
        Assert.Equal(lines / 6 * 2 * reads, hour.ByClass[(int)EndpointClass.Owa]);
        // Paths ignore case ("/OWA/service.svc" is one path), agents keep W3C's '+' undone on split and unsplit lines alike.
        Assert.Equal(lines / 6 * reads, hour.Paths["/owa/service.svc"]);
        Assert.Equal(lines / 6 * 2 * reads, hour.UserAgents["Microsoft Office/16.0"]);
        Assert.Equal(4, hour.Ips.Count);
    }
}
