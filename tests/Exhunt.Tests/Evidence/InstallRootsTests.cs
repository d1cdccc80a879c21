using Exhunt.Evidence;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Evidence;

public class InstallRootsTests
{
    [Theory]
    [InlineData("C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG", "C/Program Files/Microsoft/Exchange Server/V15")]
    [InlineData("uploads/auto/C%3A/Program%20Files/Microsoft/Exchange%20Server/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx", "uploads/auto/C%3A/Program%20Files/Microsoft/Exchange%20Server/V15")]
    [InlineData("D/Exchange/LOGGING/ECP/Server/ECPServer20210303-1.LOG", "D/Exchange")]
    [InlineData("Logging/OABGeneratorLog/oab.log", "")]
    public void Infers_the_install_root_in_any_layout(string path, string root)
    {
        var roots = InstallRoots.Infer([Fixture.File(path, "x")]);
        Assert.Equal([root], roots);
    }

    [Fact]
    public void Unrelated_files_give_no_root()
    {
        Assert.Empty(InstallRoots.Infer([Fixture.File("inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", "x"), Fixture.File("Windows/Temp/a.txt", "x")]));
    }
}
