using Exhunt.Findings;
using static Exhunt.Tests.Events.EventFixtures;

namespace Exhunt.Tests.Events;

/// <summary>
/// A worker spawning a shell is Exchange compromise only when the worker is an Exchange app pool's w3wp or
/// UMWorkerProcess; another web app's pool is a web shell but not on Exchange; an unlogged pool waits for exploitation.
/// </summary>
public class WebShellAppPoolTests
{
    private const string W3wp = @"C:\Windows\System32\inetsrv\w3wp.exe";
    private const string Cmd = @"C:\Windows\System32\cmd.exe";

    private static string Pool(string name) =>
        $"c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"{name}\" -v \"v4.0\" -c \"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\GenericAppPoolConfigWithGCServerEnabledFalse.config\" -a \\\\.\\pipe\\iisipm8e72bd3c -h \"C:\\inetpub\\temp\\apppools\\{name}\\{name}.config\" -w \"\" -m 0";

    [Theory]
    [InlineData("MSExchangeOWAAppPool")]
    [InlineData("MSExchangeECPAppPool")]
    [InlineData("MSExchangePowerShellFrontEndAppPool")]
    public void Exchange_app_pool_worker_starting_a_shell_is_compromise(string pool)
    {
        var f = Assert.Single(Run(Sysmon1(Cmd, "cmd /c whoami", W3wp, Pool(pool))).Findings);
        Assert.Equal("evt-proc-w3wp-shell", f.Rule.Id);
        Assert.Equal(Proves.Compromise, f.Rule.Implies);
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal(pool, f.Details!["appPool"]);
        Assert.Equal("EX01.contoso.local", f.Host);
    }

    [Theory]
    [InlineData("DefaultAppPool")]
    [InlineData("SharePoint - 80")]
    [InlineData("MSExchangeOWAAppPoolX2")] // not Exchange's naming: ends otherwise
    public void Non_exchange_app_pool_worker_starting_a_shell_is_a_high_weak_web_shell(string pool)
    {
        var f = Assert.Single(Run(Sysmon1(Cmd, "cmd /c net user", W3wp, Pool(pool), user: @"IIS APPPOOL\" + pool)).Findings);
        Assert.Equal("evt-proc-w3wp-shell-non-exchange", f.Rule.Id);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
        Assert.Null(f.Rule.WithExploitation);
        Assert.Equal(Severity.High, f.Severity);
        Assert.Equal(pool, f.Details!["appPool"]);
    }

    [Fact]
    public void Unlogged_pool_is_weak_alone_and_compromise_with_exploitation()
    {
        var security = Assert.Single(Run(Security4688(Cmd, "cmd /c whoami", W3wp)).Findings);
        var sysmonNoAp = Assert.Single(Run(Sysmon1(Cmd, "cmd /c whoami", W3wp, "\"" + W3wp + "\"")).Findings);
        foreach (var f in new[] { security, sysmonNoAp })
        {
            Assert.Equal("evt-proc-w3wp-shell-unknown-pool", f.Rule.Id);
            Assert.Equal(Proves.Weak, f.Rule.Implies);
            Assert.Equal(Proves.Compromise, f.Rule.WithExploitation);
            Assert.Equal("unknown", f.Details!["appPool"]);
            Assert.Equal("EX01.contoso.local", f.Host);
        }
    }

    [Fact]
    public void Security_4688_under_an_app_pool_identity_names_the_pool()
    {
        var e = Security4688(Cmd, "cmd /c whoami", W3wp);
        e.Data.RemoveAll(d => d.Key is "SubjectUserName" or "SubjectDomainName");
        e.Data.Add(new("SubjectUserName", "DefaultAppPool"));
        e.Data.Add(new("SubjectDomainName", "IIS APPPOOL"));
        var f = Assert.Single(Run(e).Findings);
        Assert.Equal("evt-proc-w3wp-shell-non-exchange", f.Rule.Id);
        Assert.Equal("DefaultAppPool", f.Details!["appPool"]);
    }

    [Fact]
    public void Chopper_follows_the_same_pool_weights()
    {
        const string chopper = "cmd /c \"cd /d \"C:\\inetpub\\wwwroot\\aspnet_client\\system_web\"&whoami&echo [S]&cd&echo [E]\"";
        Assert.Contains("evt-proc-chopper", Ids(Sysmon1(Cmd, chopper, W3wp, Pool("MSExchangeOWAAppPool"))));
        Assert.Contains("evt-proc-chopper-non-exchange", Ids(Sysmon1(Cmd, chopper, W3wp, Pool("DefaultAppPool"))));
        var unknown = Run(Security4688(Cmd, chopper, W3wp)).Findings.Single(f => f.Rule.Id.StartsWith("evt-proc-chopper"));
        Assert.Equal("evt-proc-chopper-unknown-pool", unknown.Rule.Id);
        Assert.Equal(Proves.Compromise, unknown.Rule.WithExploitation);
    }

    [Fact]
    public void Page_written_by_a_default_app_pool_worker_is_not_exchange_compromise()
    {
        var write = Sysmon11(W3wp, @"C:\inetpub\wwwroot\aspnet_client\system_web\shell.aspx");
        write.Data.RemoveAll(d => d.Key == "User");
        write.Data.Add(new("User", @"IIS APPPOOL\DefaultAppPool"));
        var f = Assert.Single(Run(write).Findings);
        Assert.Equal("evt-file-webshell-write-non-exchange", f.Rule.Id);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
        Assert.Equal("DefaultAppPool", f.Details!["appPool"]);
        // Exchange's pools run as SYSTEM: the write stays a web shell on Exchange.
        Assert.Equal(["evt-file-webshell-write"], Ids(Sysmon11(W3wp, @"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\x.aspx")));
    }

    [Fact]
    public void Um_worker_child_stays_compromise_without_an_app_pool()
    {
        var f = Assert.Single(Run(Security4688(Cmd, "cmd /c whoami", @"C:\Program Files\Microsoft\Exchange Server\V15\Bin\UMWorkerProcess.exe")).Findings);
        Assert.Equal("evt-proc-umworker-child", f.Rule.Id);
        Assert.Equal(Proves.Compromise, f.Rule.Implies);
    }
}
