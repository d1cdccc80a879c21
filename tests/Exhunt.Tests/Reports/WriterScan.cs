using Exhunt.Demo;
using Exhunt.Reports;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Reports;

/// <summary>The demo intrusion plus an IIS log whose fields carry script-injection payloads, scanned once.</summary>
public sealed class WriterScan : IDisposable
{
    private readonly Fixture.TempDir _dir = new();

    /// <summary>Each payload sets the page title when it runs; a report that stays safe never shows these titles.</summary>
    public static readonly string[] Marks = ["PWNED1", "PWNED2", "PWNED3", "PWNED4"];

    public const string HostileLog =
        "2021-03-02 07:00:00 10.0.0.5 POST /ecp/y.js <script>document.title='PWNED1'</script>&u=javascript:document.title='PWNED3' 443 - 203.0.113.66 <img+src=x+onerror=document.title='PWNED2'> - 500 0 0 15";
    public const string HostileLog2 =
        "2021-03-02 07:00:05 10.0.0.5 POST /owa/auth/x.js a=\"><svg/onload=document.title='PWNED4'> 443 - 203.0.113.66 python-requests/2.25.1 - 200 0 0 15";

    public WriterScan()
    {
        DemoEvidence.Write(_dir.Path, new DemoOptions { Days = 2, RequestsPerDay = 600, Seed = 4242, Parallelism = 2 });
        _dir.Write("C/inetpub/logs/LogFiles/W3SVC1/u_ex210302_x.log", WebRules.WebLog.Iis(HostileLog, HostileLog2));
        Result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(_dir.Path);
        Model = StoryModel.Of(Result);
    }

    public ScanResult Result { get; }
    public StoryModel Model { get; }

    public byte[] Render(IReportWriter writer)
    {
        using var ms = new MemoryStream();
        writer.Write(Result, ms, Exhunt.Findings.Severity.Info);
        return ms.ToArray();
    }

    public static string OutputFolder()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "test-output");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose() => _dir.Dispose();
}
