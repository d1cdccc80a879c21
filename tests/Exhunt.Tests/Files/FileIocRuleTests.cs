using Exhunt.Findings;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Files;

public class FileIocRuleTests
{
    [Fact]
    public void Known_web_shell_hash_is_compromise()
    {
        // The scanner hashes the file; the rule is given the hash (no web-shell sample is shipped with the tests).
        var file = Fixture.File("C/inetpub/wwwroot/aspnet_client/x.aspx", "<%@ Page %>");
        var hit = Assert.Single(FileRuleHarness.Run(file, "b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0"),
            f => f.Rule.Id == "ioc-webshell-hash");
        Assert.Equal(Proves.Compromise, hit.Rule.Implies);
        Assert.Equal("microsoft-css-exchange", hit.Details!["ioc_source"]);
    }

    [Fact]
    public void Known_tool_hash_is_weak_until_exploitation()
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/Users/Public/p.ps1", "x"),
            "c55672b5d2963969abe045fe75db52069d0300691d4f1f5923afeadf5353b9d2"), f => f.Rule.Id == "ioc-tool-hash");
        Assert.Equal(Proves.Weak, hit.Rule.Implies);
        Assert.Equal(Proves.Compromise, hit.Rule.WithExploitation);
    }

    [Fact]
    public void Other_hashes_stay_quiet() =>
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/inetpub/wwwroot/aspnet_client/x.aspx", "<%@ Page %>")),
            f => f.Rule.Id.EndsWith("-hash"));

    [Theory]
    [InlineData("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/bob.aspx")]
    [InlineData("uploads/auto/C%3A/Program%20Files/Microsoft/Exchange%20Server/V15/FrontEnd/HttpProxy/owa/auth/errorPage.aspx")]
    [InlineData("D/Exchange/FrontEnd/HttpProxy/OAB/log.aspx")]
    [InlineData("owa/auth/shel90.aspx")]
    [InlineData("C/inetpub/wwwroot/aspnet_client/system_web/log.aspx")]
    [InlineData("C/Users/Public/opera/opera_browser.exe")]
    [InlineData("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/google.log")]
    public void Published_paths_match_in_every_collection_layout(string path)
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File(path, "x")), f => f.Rule.Id == "ioc-known-path");
        Assert.Equal(Proves.Compromise, hit.Rule.Implies);
    }

    [Theory]
    [InlineData("C/Backup/bob.aspx")]                         // name only, outside the published folder
    [InlineData("C/inetpub/wwwroot/app/auth/bob.aspx")]       // shares auth/bob.aspx but not owa\auth
    [InlineData("C/Program Files/Opera/opera_browser.exe")]  // the real browser
    public void Same_names_in_other_folders_do_not_match_paths(string path) =>
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File(path, "x")), f => f.Rule.Id == "ioc-known-path");

    [Fact]
    public void Published_web_shell_name_in_a_web_shell_folder_is_compromise()
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/inetpub/wwwroot/aspnet_client/system_web/zXkZu6bn.aspx", "x")),
            f => f.Rule.Id == "ioc-webshell-name");
        Assert.Equal("cisa (zer010bs)", hit.Details!["ioc_source"]);
    }

    [Fact]
    public void Published_name_outside_web_shell_folders_stays_quiet() =>
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/inetpub/wwwroot/intranet/help.aspx", "x")), f => f.Rule.Id == "ioc-webshell-name");
}
