using Exhunt.Findings;

namespace Exhunt.Tests.WebRules;

public class OabDownloadPathTests
{
    private const string Path = "C/Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OABGenerator_20210303-1.LOG";

    // The OAB generator log's column layout is not published (detection-facts §2.4): lines are read as text.
    private static string Log(params string[] lines) =>
        "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: OAB Generator Log\r\n#Date: 2021-03-03T00:00:00.000Z\r\n"
        + string.Concat(lines.Select(l => l + "\r\n"));

    [Fact]
    public void Download_outside_clientaccess_oab_is_a_file_write_with_a_claim()
    {
        var (findings, writes) = WebLog.DetectWithWrites(Path, Log(
            "2021-03-03T03:20:11.000Z,Warning,Download failed and temporary file '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\shell.aspx' needs to be removed."));
        var f = Assert.Single(findings);
        Assert.Equal("oab-26858-download-path", f.Rule.Id);
        Assert.Equal(Proves.Compromise, f.Rule.Implies);
        Assert.Equal(@"\\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\shell.aspx", f.Details!["path"]);
        var claim = Assert.Single(writes);
        Assert.Equal(@"\\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\shell.aspx", claim.WindowsPath);
        Assert.Equal(5, claim.Line);
    }

    [Fact]
    public void Legitimate_clientaccess_oab_temp_download_stays_quiet()
    {
        var findings = WebLog.Detect(Path, Log(
            "2021-03-03T03:20:11.000Z,Warning,Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\a1b2c3\\lzx.tmp' needs to be removed.",
            "2021-03-03T03:21:11.000Z,Information,OABGeneration completed."));
        Assert.Empty(findings);
    }

    [Theory]
    [InlineData(@"C:\Program Files\Microsoft\Exchange Server\V15\ClientAccess\OAB\..\..\FrontEnd\HttpProxy\owa\auth\x.aspx")]
    [InlineData(@"\\ex01\c$\Program Files\Microsoft\Exchange Server\V15\ClientAccess\OAB\Temp\x.aspx")]
    [InlineData(@"C:\inetpub\wwwroot\aspnet_client\ClientAccess\OAB\x.aspx")]
    public void Escapes_from_the_oab_folder_are_not_taken_as_legitimate(string path)
    {
        var findings = WebLog.Detect(Path, Log($"2021-03-03T03:20:11.000Z,Warning,Download failed and temporary file '{path}' needs to be removed."));
        Assert.Single(findings);
    }
}
