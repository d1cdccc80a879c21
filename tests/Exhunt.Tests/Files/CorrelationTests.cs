using System.Security.Cryptography;
using System.Text;
using Exhunt.Detection;
using Exhunt.Detection.Correlation;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Files;

public class CorrelationTests
{
    private const string Shell = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"klk123456\"],\"unsafe\");%>";
    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static readonly RuleInfo Attempt = new("test-attempt", "an attempt", Severity.High, [], [], "initial-access", Proves.Attempt);

    private static List<Finding> Correlate(IEnumerable<EvidenceFile> files, Action<ScanContext> setup, IReadOnlyList<Finding>? findings = null)
    {
        var context = new ScanContext();
        setup(context);
        new ImplicatedFileRule().Run(new CorrelationInput(new EvidenceIndex(files), findings ?? []), context);
        return context.Findings.Snapshot().ToList();
    }

    private static FileWriteClaim Claim(string windowsPath, long line = 12) =>
        new(windowsPath, "Logging/OABGeneratorLog/OABGenerator_2021030304-1.LOG", line, null,
            new DateTime(2021, 3, 3, 4, 20, 0, DateTimeKind.Utc), null, "oab-download-failed-path", "OAB download wrote");

    [Fact]
    public void Scan_ties_a_200_post_to_a_non_stock_page_with_the_collected_file()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", PageRequestRuleTests.IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 POST /owa/auth/shell.aspx - 443 - 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 62\n" +
            "2021-03-03 04:13:00 10.0.0.5 GET /owa/auth/logon.aspx - 443 - 203.0.113.50 Mozilla/5.0 - 200 0 0 15\n");
        const string shellPath = "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/shell.aspx";
        dir.Write(shellPath, Shell);
        dir.Write("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx", "<%@ Page Language=\"C#\" %>");

        var result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(dir.Path);

        var hit = Assert.Single(result.Findings, f => f.Rule.Id == "corr-implicated-file-present");
        Assert.Equal(shellPath, hit.Artifact);
        Assert.Null(hit.Line);
        Assert.Equal(Sha(Shell), hit.Details!["sha256"]);
        Assert.Equal(Encoding.UTF8.GetByteCount(Shell).ToString(), hit.Details["bytes"]);
        Assert.Equal("C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log:5", hit.Details["implicated_by"]);
        Assert.Equal("198.51.100.23", hit.ClientIp);
        Assert.Equal(Verdict.Compromised, result.Story.Verdict);
        Assert.DoesNotContain(result.Findings, f => f.Artifact.EndsWith("logon.aspx"));
    }

    [Fact]
    public void Scan_keeps_quiet_when_only_a_probe_touched_the_page()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", PageRequestRuleTests.IisHeader +
            "2021-03-22 14:45:10 10.0.0.5 GET /aspnet_client/discover2.aspx - 443 - 192.0.2.77 Mozilla/5.0+nuclei - 404 0 2 1\n");
        dir.Write("C/inetpub/wwwroot/aspnet_client/discover2.aspx", Shell);

        var result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(dir.Path);

        Assert.DoesNotContain(result.Findings, f => f.Rule.Id == "corr-implicated-file-present");
        Assert.Contains(result.Findings, f => f.Rule.Id == "file-nonstock-page");
        // The logs implicate nothing, but the page's content is a China Chopper one-liner: the content judge says so.
        Assert.Contains(result.Findings, f => f.Rule.Id == "content-webshell");
        Assert.Equal(Verdict.Compromised, result.Story.Verdict);
    }

    [Theory]
    [InlineData(@"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\x.aspx", "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx")]
    [InlineData(@"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\x.aspx", "uploads/auto/C%3A/Program%20Files/Microsoft/Exchange%20Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx")]
    [InlineData(@"D:\Exchange\FrontEnd\HttpProxy\ecp\auth\x.aspx", "D/Exchange/FrontEnd/HttpProxy/ecp/auth/x.aspx")]
    [InlineData(@"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\x.aspx", "D/Exchange/FrontEnd/HttpProxy/owa/auth/x.aspx")]
    [InlineData(@"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\x.aspx", "owa/auth/x.aspx")]
    [InlineData(@"\\localhost\c$\inetpub\wwwroot\aspnet_client\x.aspx", "C/inetpub/wwwroot/aspnet_client/x.aspx")]
    [InlineData(@"'\\127.0.0.1\C$\inetpub\wwwroot\aspnet_client\system_web\X.aspx'", "2021-03-10_kape/C/inetpub/wwwroot/aspnet_client/system_web/x.aspx")]
    public void Claimed_write_is_found_in_every_collection_layout(string claimed, string collected)
    {
        var found = Correlate([Fixture.File(collected, Shell), Fixture.File("C/Windows/notes.txt", "x")], c => c.FileWrites.Enqueue(Claim(claimed)));
        var hit = Assert.Single(found);
        Assert.Equal(collected, hit.Artifact);
        Assert.Equal(Sha(Shell), hit.Details!["sha256"]);
        Assert.Equal("Logging/OABGeneratorLog/OABGenerator_2021030304-1.LOG:12", hit.Details["implicated_by"]);
        Assert.Equal(Proves.Compromise, hit.Rule.Implies);
        Assert.Equal(new DateTime(2021, 3, 3, 4, 20, 0, DateTimeKind.Utc), hit.Time);
    }

    [Theory]
    [InlineData(@"C:\inetpub\wwwroot\aspnet_client\y.aspx")]           // different name
    [InlineData(@"C:\ProgramData\a\x.aspx")]                           // shares only the name with E/other/x.aspx
    [InlineData(@"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\ecp\auth\x.aspx")] // owa vs ecp
    public void Claims_whose_file_was_not_collected_add_nothing(string claimed)
    {
        var files = new[]
        {
            Fixture.File("E/other/x.aspx", Shell),
            Fixture.File("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx", Shell),
        };
        Assert.Empty(Correlate(files, c => c.FileWrites.Enqueue(Claim(claimed))));
    }

    [Fact]
    public void Several_lines_implicating_one_file_make_one_finding()
    {
        var file = Fixture.File("C/inetpub/wwwroot/aspnet_client/x.aspx", Shell);
        var found = Correlate([file], c =>
        {
            c.FileWrites.Enqueue(Claim(@"C:\inetpub\wwwroot\aspnet_client\x.aspx", 12));
            c.FileWrites.Enqueue(Claim(@"\\localhost\c$\inetpub\wwwroot\aspnet_client\x.aspx", 40) with { ClientIp = "192.0.2.5", Artifact = "Logging/ECP/Server/ECPServer2021030304-1.LOG" });
            c.PageRequests.Enqueue(new PageRequest("/aspnet_client/x.aspx", "POST", 200, "192.0.2.5", "UA", null, "W3SVC1/u_ex210303.log", 7));
        }, [new Finding { Rule = Attempt, Artifact = "W3SVC1/u_ex210303.log", ClientIp = "192.0.2.5:51234" }]);
        var hit = Assert.Single(found);
        // In log order (time, then artifact and line), whatever order parallel readers queued them in.
        Assert.Equal("Logging/ECP/Server/ECPServer2021030304-1.LOG:40; Logging/OABGeneratorLog/OABGenerator_2021030304-1.LOG:12; W3SVC1/u_ex210303.log:7",
            hit.Details!["implicated_by"]);
        Assert.Equal("192.0.2.5", hit.ClientIp);
    }

    [Fact]
    public void Stock_page_posted_by_an_intrusion_client_is_listed_weak_and_a_get_stays_quiet()
    {
        const string auth = "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/";
        var files = new[] { Fixture.File(auth + "RedirSuiteServiceProxy.aspx", Shell), Fixture.File(auth + "logon.aspx", "<%@ Page %>") };
        var found = Correlate(files, c =>
        {
            c.PageRequests.Enqueue(new PageRequest("/owa/auth/RedirSuiteServiceProxy.aspx", "POST", 200, "192.0.2.5", "UA", null, "W3SVC1/u_ex221001.log", 4));
            c.PageRequests.Enqueue(new PageRequest("/owa/auth/logon.aspx", "GET", 200, "192.0.2.5", "UA", null, "W3SVC1/u_ex221001.log", 3));
            c.PageRequests.Enqueue(new PageRequest("/owa/auth/logon.aspx", "POST", 200, "203.0.113.50", "UA", null, "W3SVC1/u_ex221001.log", 5));
        }, [new Finding { Rule = Attempt, Artifact = "W3SVC1/u_ex221001.log", ClientIp = "192.0.2.5" }]);
        var hit = Assert.Single(found);
        Assert.Equal("corr-stock-page-posted-by-intruder", hit.Rule.Id);
        Assert.Equal(Proves.Weak, hit.Rule.Implies);
        Assert.Equal(Sha(Shell), hit.Details!["sha256"]);
    }

    [Fact]
    public void Pages_requested_only_by_clients_outside_the_intrusion_stay_quiet()
    {
        var file = Fixture.File("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/custom.aspx", Shell);
        var found = Correlate([file], c =>
            c.PageRequests.Enqueue(new PageRequest("/owa/auth/custom.aspx", "GET", 200, "203.0.113.50", "UA", null, "W3SVC1/u_ex210303.log", 9)),
            [new Finding { Rule = Attempt, Artifact = "W3SVC1/u_ex210303.log", ClientIp = "192.0.2.5" }]);
        Assert.Empty(found);
    }
}

public class CorrelationZipTests
{
    [Fact]
    public void Velociraptor_zip_correlates_and_hashes_the_entry()
    {
        const string shell = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>";
        using var dir = new Fixture.TempDir();
        var zipPath = System.IO.Path.Combine(dir.Path, "collection.zip");
        using (var zip = System.IO.Compression.ZipFile.Open(zipPath, System.IO.Compression.ZipArchiveMode.Create))
        {
            void Add(string name, string text)
            {
                using var w = new StreamWriter(zip.CreateEntry(name).Open());
                w.Write(text);
            }
            Add("uploads/auto/C%3A/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", PageRequestRuleTests.IisHeader +
                "2021-03-03 04:12:55 10.0.0.5 GET /aspnet_client/system_web/a1b2.aspx cmd=whoami 443 - 198.51.100.23 Mozilla/5.0 - 200 0 0 62\n");
            Add("uploads/auto/C%3A/inetpub/wwwroot/aspnet_client/system_web/a1b2.aspx", shell);
        }
        var result = new Exhunt.Scanning.Scanner(new Exhunt.Scanning.ScanOptions { MaxParallelism = 2 }).Scan(zipPath);
        var hit = Assert.Single(result.Findings, f => f.Rule.Id == "corr-implicated-file-present");
        Assert.Equal("uploads/auto/C%3A/inetpub/wwwroot/aspnet_client/system_web/a1b2.aspx", hit.Artifact);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(shell))), hit.Details!["sha256"]);
    }
}
