using Exhunt.Evidence;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Evidence;

/// <summary>Exchange logs are recognised by what they hold, wherever they sit and whatever they are called.</summary>
public sealed class ClassifyByContentTests
{
    [SkippableFact]
    public void The_lab_ecp_server_line_is_read_outside_its_folder()
    {
        var lab = Corpus.Path_("logs/lab");
        var result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(lab);
        var ecp = Assert.Single(result.Artifacts, a => a.File.FileName == "ecp_server_log__proxylogon_lab.log");
        Assert.Equal(ArtifactKind.EcpServer, ecp.File.Kind);
        Assert.Equal(1, ecp.Stats.Records);
        Assert.Contains(result.Findings, f => f.Artifact == ecp.File.RelativePath && f.Rule.Cves.Contains("CVE-2021-27065"));
    }

    [Theory]
    [InlineData("2021-04-06T14:54:38.677Z,WIN-03FGEGKLSPR,ECP.Request,\"S:TIME=4365;S:URL=/ecp/DDI/DDIService.svc/SetObject\"", "notes/a.txt", ArtifactKind.EcpServer)]
    [InlineData("2021-04-06T14:54:38.677Z,WIN-03FGEGKLSPR,ECP.Request,S:URL=/ecp/x", "copy/Logging/ECP/Activity/x.log", ArtifactKind.EcpActivity)]
    [InlineData("2021-03-07T15:04:04.546Z,61d2c86f-f9bb-456d-88c0-3529172510ac,15,1,2176,2,,Ecp,mail,/ecp/y.js,", "export/data.csv", ArtifactKind.HttpProxy)]
    [InlineData("2021-03-02 06:47:12 10.0.0.10 POST /ecp/y.js - 443 - 1.2.3.4 python-requests/2.25 - 200 0 0 15", "copy/web.txt", ArtifactKind.Iis)]
    [InlineData("2021-03-02T06:47:12.000Z,2021-03-02T06:47:11.000Z,61d2c86f-f9bb-456d-88c0-3529172510ac,15,1,2176,2,,/powershell", "x/a.log", ArtifactKind.RpsHttp)]
    [InlineData("2021-03-02T06:47:12.000Z,2021-03-02T06:47:11.000Z,61d2c86f-f9bb-456d-88c0-3529172510ac,,15,1,2176,2,EXCH01,7432,w3wp", "x/a.log", ArtifactKind.RpsCmdlet)]
    [InlineData("just some notes, 2021-03-02, nothing else", "Logging/ECP/Server/notes.log", ArtifactKind.EcpServer)]
    public void Header_less_lines_are_classified_by_their_shape(string line, string path, ArtifactKind kind) =>
        Assert.Equal(kind, Fixture.File(path, line + "\r\n").Kind);

    [Fact]
    public void An_exchange_header_without_a_log_type_takes_the_kind_of_its_lines()
    {
        var text = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Fields: TimeStamp,ServerName,EventId,EventData\r\n"
            + "2021-04-06T14:54:38.677Z,EXCH01,ECP.Request,S:URL=/ecp/x\r\n";
        Assert.Equal(ArtifactKind.EcpServer, Fixture.File("somewhere/file.log", text).Kind);
    }
}
