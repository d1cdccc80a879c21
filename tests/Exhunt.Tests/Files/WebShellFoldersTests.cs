using Exhunt.Detection.Files;
using Exhunt.Evidence;

namespace Exhunt.Tests.Files;

public class WebShellFoldersTests
{
    [Theory]
    [InlineData("c/program files/microsoft/exchange server/v15/frontend/httpproxy/owa/auth/shell.aspx", ShellFolder.OwaAuth, false)]
    [InlineData("c/program files/microsoft/exchange server/v15/frontend/httpproxy/owa/auth/logon.aspx", ShellFolder.OwaAuth, true)]
    [InlineData("/owa/auth/OutlookCN.aspx", ShellFolder.OwaAuth, true)]
    [InlineData("/OWA/Auth/RedirSuiteServiceProxy.aspx", ShellFolder.OwaAuth, true)]
    [InlineData("/owa/auth/RedirSuiteServerProxy.aspx", ShellFolder.OwaAuth, false)]
    [InlineData("/owa/auth/Current/themes/errorFS.aspx", ShellFolder.OwaAuthCurrent, false)]
    [InlineData("/owa/auth/15.1.2106/scripts/x.aspx", ShellFolder.OwaAuthVersion, false)]
    [InlineData("/owa/auth/custom/x.aspx", ShellFolder.OwaAuthOther, false)]
    [InlineData("/ecp/auth/TimeoutLogoff.aspx", ShellFolder.EcpAuth, true)]
    [InlineData("/ecp/auth/blank.aspx", ShellFolder.EcpAuth, false)]
    [InlineData("/aspnet_client/system_web/log.aspx", ShellFolder.AspnetClient, false)]
    [InlineData("owa/auth/x.aspx", ShellFolder.OwaAuth, false)]
    public void Locates_web_shell_folders_and_stock_pages(string path, ShellFolder folder, bool stock)
    {
        var hit = WebShellFolders.Locate(path);
        Assert.Equal(folder, hit.Folder);
        Assert.Equal(stock, hit.Stock);
    }

    [Theory]
    [InlineData("/owa/logon.aspx")]
    [InlineData("/ecp/default.aspx")]
    [InlineData("/ews/exchange.asmx")]
    [InlineData("/owa/auth/")]
    [InlineData("c/program files/microsoft/exchange server/v15/clientaccess/owa/auth/x.aspx")]
    [InlineData("/myowa/auth/x.aspx")]
    public void Other_folders_are_not_web_shell_folders(string path) =>
        Assert.False(WebShellFolders.Locate(path).IsShellFolder);
}
