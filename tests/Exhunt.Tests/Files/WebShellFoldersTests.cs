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

    [Theory]
    [InlineData("/owa/auth/shell.aspx", ShellFolder.OwaAuth, false)]
    [InlineData("/OWA/AUTH/LOGON.ASPX", ShellFolder.OwaAuth, true)]
    [InlineData("/owa/auth/Current/one1.aspx", ShellFolder.OwaAuthCurrent, false)]
    [InlineData("/ecp/auth/TimeoutLogoff.aspx", ShellFolder.EcpAuth, true)]
    [InlineData("/Aspnet_Client/system_web/x.aspx", ShellFolder.AspnetClient, false)]
    [InlineData("/foo/owa/auth/x.aspx", ShellFolder.None, false)]
    [InlineData("/owa/auth.aspx", ShellFolder.None, false)]
    [InlineData("/ecp/default.aspx", ShellFolder.None, false)]
    [InlineData("/autodiscover/autodiscover.aspx", ShellFolder.None, false)]
    public void Url_stems_must_start_with_the_folder(string stem, ShellFolder folder, bool stock)
    {
        var hit = WebShellFolders.LocateUrl(stem);
        Assert.Equal(folder, hit.Folder);
        Assert.Equal(stock, hit.Stock);
    }

    [Theory]
    [InlineData("/owa/auth/x.aspx", true)]
    [InlineData("/a/b.ASHX", true)]
    [InlineData("/a/b.asmx", true)]
    [InlineData("/a/b.asp", true)]
    [InlineData("/a/b.js", false)]
    [InlineData("/a/b.aspx.txt", false)]
    [InlineData("/x", false)]
    public void Requestable_page_prefilter(string stem, bool page) => Assert.Equal(page, WebShellFolders.IsRequestablePage(stem));
}
