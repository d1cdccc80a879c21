using Exhunt.Evidence;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Files;

public class EvidenceIndexTests
{
    private static EvidenceIndex Index(params string[] paths) => new(paths.Select(p => Fixture.File(p, "x", ArtifactKind.WebPage)));

    [Theory]
    [InlineData("/owa/auth/x.aspx", "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx")]
    [InlineData("/OWA/Auth/X.aspx?a=b", "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx")]
    [InlineData("/aspnet_client/system_web/x.aspx", "uploads/auto/C%3A/inetpub/wwwroot/aspnet_client/system_web/x.aspx")]
    [InlineData("/owa/auth/Current/themes/x.aspx", "D/Exchange/FrontEnd/HttpProxy/owa/auth/Current/themes/x.aspx")]
    [InlineData("/owa/auth/x.aspx", "auth/x.aspx")]
    public void Url_paths_find_the_served_file(string url, string collected) =>
        Assert.Equal(collected, Index(collected, "C/Windows/Temp/x.aspx").FindUrlPath(url)?.RelativePath);

    [Fact]
    public void Url_path_prefers_the_front_end_copy_over_the_back_end_one()
    {
        var index = Index("C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/owa/auth/x.aspx",
            "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx");
        Assert.Contains("FrontEnd/HttpProxy", index.FindUrlPath("/owa/auth/x.aspx")!.RelativePath);
    }

    [Theory]
    [InlineData("/owa/auth/x.aspx", "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/ecp/auth/x.aspx")]
    [InlineData("/aspnet_client/x.aspx", "C/inetpub/wwwroot/x.aspx")]
    [InlineData("/owa/auth/x.aspx", "C/backup/x.aspx")]
    public void Url_paths_do_not_match_other_folders(string url, string collected) =>
        Assert.Null(Index(collected).FindUrlPath(url));
}
