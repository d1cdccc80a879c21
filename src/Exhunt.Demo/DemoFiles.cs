using System.IO.Compression;
using System.Text;

namespace Exhunt.Demo;

/// <summary>
/// The non-log files of the collection: stock pages of the web roots (as Exchange 2016 CU19 installs them), the web
/// shell the OAB reset wrote, the LSASS dump and the staged mailbox archive.
/// </summary>
internal static class DemoFiles
{
    private static readonly DateTime Installed = new(2020, 12, 17, 10, 31, 4, DateTimeKind.Utc);

    private static readonly (string Name, string Inherits)[] OwaAuthPages =
    [
        ("errorFE.aspx", "Microsoft.Exchange.HttpProxy.ErrorFE"),
        ("ExpiredPassword.aspx", "Microsoft.Exchange.HttpProxy.ExpiredPassword"),
        ("frowny.aspx", "Microsoft.Exchange.HttpProxy.Frowny"),
        ("logoff.aspx", "Microsoft.Exchange.HttpProxy.Logoff"),
        ("logon.aspx", "Microsoft.Exchange.HttpProxy.Logon"),
        ("OutlookCN.aspx", "Microsoft.Exchange.HttpProxy.OutlookCN"),
        ("RedirSuiteServiceProxy.aspx", "Microsoft.Exchange.HttpProxy.RedirSuiteServiceProxy"),
        ("signout.aspx", "Microsoft.Exchange.HttpProxy.Signout"),
    ];

    public static void Write(DemoOutput output, DemoOrg org, DemoOptions options, DemoIntrusion intrusion, DemoIntrusionFacts facts)
    {
        var r = new DemoRandom(options.Seed, 9);
        foreach (var (name, inherits) in OwaAuthPages)
            output.WriteBytes(DemoPaths.OwaAuth + "/" + name, Page(inherits, name), Installed.AddSeconds(r.Next(0, 50)));
        output.WriteBytes(DemoPaths.OwaAuth + "/getidtoken.htm", Encoding.UTF8.GetBytes("<!DOCTYPE html>\r\n<html><head><meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" /><script type=\"text/javascript\">window.location.replace(\"/owa/\");</script></head><body></body></html>\r\n"), Installed);
        foreach (var folder in new[] { DemoPaths.OwaAuth + "/Current", DemoPaths.OwaAuth + "/" + DemoOrg.VersionDotted })
        {
            output.WriteBytes(folder + "/themes/resources/logon.css", Encoding.UTF8.GetBytes(".signInBg { background-color: #0072C6; }\r\n.signInInputText { font-family: \"Segoe UI\", \"Segoe\", \"Tahoma\"; font-size: 14px; }\r\n"), Installed);
            output.WriteBytes(folder + "/themes/resources/owafont_ja.css", Encoding.UTF8.GetBytes("@font-face { font-family: \"Segoe UI WPC\"; src: url(\"segoeui-regular.eot\"); }\r\n"), Installed);
        }
        output.WriteBytes(DemoPaths.EcpAuth + "/TimeoutLogoff.aspx", Page("Microsoft.Exchange.HttpProxy.TimeoutLogoff", "TimeoutLogoff.aspx"), Installed);
        output.Folder(DemoPaths.WwwRoot + "/aspnet_client/system_web/4_0_30319");
        output.WriteBytes(DemoPaths.WwwRoot + "/iisstart.htm", Encoding.UTF8.GetBytes("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">\r\n<html><head><title>IIS Windows Server</title></head><body><div id=\"container\"><a href=\"http://go.microsoft.com/fwlink/?linkid=66138&amp;clcid=0x409\"><img src=\"iisstart.png\" alt=\"IIS\" width=\"960\" height=\"600\" /></a></div></body></html>\r\n"), Installed.AddDays(-30));
        output.WriteBytes(DemoPaths.WwwRoot + "/iisstart.png", Png(r), Installed.AddDays(-30));
        output.WriteBytes(DemoPaths.WwwRoot + "/web.config", Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<configuration>\r\n  <system.webServer>\r\n    <httpRedirect enabled=\"false\" />\r\n  </system.webServer>\r\n</configuration>\r\n"), Installed);

        if (!options.Intrusion) return;
        output.WriteBytes(facts.ShellKapePath, OabDump(org, intrusion, facts), facts.ShellWritten);
        output.WriteBytes("C/Windows/Temp/lsass.dmp", Minidump(r, facts.LsassDumped, options.LsassDumpBytes), facts.LsassDumped.AddSeconds(4));
        var archiveAt = facts.LsassDumped.AddMinutes(52);
        output.WriteBytes("C/ProgramData/it.zip", Archive(r, facts.ExportedMailbox, archiveAt), archiveAt);
    }

    private static byte[] Page(string inherits, string name) => Encoding.UTF8.GetBytes(
        $"<%@ Page language=\"c#\" AutoEventWireup=\"false\" Inherits=\"{inherits}\" %>\r\n" +
        "<%@ Import namespace=\"Microsoft.Exchange.Clients.Owa.Core\" %>\r\n" +
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\r\n" +
        "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; CHARSET=utf-8\">\r\n" +
        $"<title>Outlook</title>\r\n<link type=\"text/css\" rel=\"stylesheet\" href=\"<%=InlineCss(\"logon.css\")%>\">\r\n</head>\r\n" +
        $"<body class=\"signInBg\"><!-- {name} -->\r\n<div id=\"mainLogonDiv\" class=\"mouse\"><% RenderMessage(); %></div>\r\n</body>\r\n</html>\r\n");

    /// <summary>
    /// What ResetOABVirtualDirectory writes: the virtual directory's settings as a PowerShell list, ExternalUrl holding
    /// the China Chopper script, which IIS then runs as an .aspx page (facts §3.4).
    /// </summary>
    private static byte[] OabDump(DemoOrg org, DemoIntrusion intrusion, DemoIntrusionFacts facts)
    {
        var when = facts.ShellWritten;
        var lines = new (string, string)[]
        {
            ("RunspaceId", "b1b7c62e-8c44-4e35-9a36-0f4f2c1d9f0b"),
            ("OfflineAddressBooks", "{\\Default Offline Address Book}"),
            ("PollInterval", "480"),
            ("RequireSSL", "False"),
            ("BasicAuthentication", "False"),
            ("WindowsAuthentication", "True"),
            ("OAuthAuthentication", "True"),
            ("MetabasePath", $"IIS://{DemoOrg.ServerFqdn}/W3SVC/1/ROOT/OAB"),
            ("Path", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\OAB"),
            ("ExtendedProtectionTokenChecking", "None"),
            ("ExtendedProtectionFlags", ""),
            ("ExtendedProtectionSPNList", "{}"),
            ("AdminDisplayVersion", "Version 15.1 (Build 2176.2)"),
            ("Server", DemoOrg.Server),
            ("InternalUrl", $"https://{DemoOrg.ServerFqdn.ToLowerInvariant()}/OAB"),
            ("InternalAuthenticationMethods", "{WindowsIntegrated}"),
            ("ExternalUrl", intrusion.ShellUrl),
            ("ExternalAuthenticationMethods", "{WindowsIntegrated}"),
            ("AdminDisplayName", ""),
            ("ExchangeVersion", "0.10 (14.0.100.0)"),
            ("Name", "OAB (Default Web Site)"),
            ("DistinguishedName", $"CN=OAB (Default Web Site),CN=HTTP,CN=Protocols,CN={DemoOrg.Server},CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=local"),
            ("Identity", $"{DemoOrg.Server}\\OAB (Default Web Site)"),
            ("Guid", org.OabVirtualDirectory.ToString()),
            ("ObjectCategory", "contoso.local/Configuration/Schema/ms-Exch-OAB-Virtual-Directory"),
            ("ObjectClass", "{top, msExchVirtualDirectory, msExchOABVirtualDirectory}"),
            ("WhenChanged", when.ToString("M/d/yyyy h:mm:ss tt", System.Globalization.CultureInfo.InvariantCulture)),
            ("WhenCreated", Installed.ToString("M/d/yyyy h:mm:ss tt", System.Globalization.CultureInfo.InvariantCulture)),
            ("OrganizationId", ""),
            ("Id", $"{DemoOrg.Server}\\OAB (Default Web Site)"),
            ("OriginatingServer", "DC01.contoso.local"),
            ("IsValid", "True"),
            ("ObjectState", "Unchanged"),
        };
        var sb = new StringBuilder("\r\n");
        foreach (var (k, v) in lines) sb.Append(k.PadRight(32)).Append(": ").Append(v).Append("\r\n");
        sb.Append("\r\n\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A minidump as procdump or comsvcs.dll MiniDump writes it: MINIDUMP_HEADER, stream directory, then memory.</summary>
    private static byte[] Minidump(DemoRandom r, DateTime at, int size)
    {
        size = Math.Max(size, 4096);
        var b = new byte[size];
        for (var i = 0; i < b.Length; i += 8) BitConverter.TryWriteBytes(b.AsSpan(i, Math.Min(8, b.Length - i)), r.NextULong());
        "MDMP"u8.CopyTo(b);
        BitConverter.TryWriteBytes(b.AsSpan(4), (ushort)0xA793);   // MINIDUMP_VERSION
        BitConverter.TryWriteBytes(b.AsSpan(6), (ushort)0);
        BitConverter.TryWriteBytes(b.AsSpan(8), 3u);               // NumberOfStreams
        BitConverter.TryWriteBytes(b.AsSpan(12), 32u);             // StreamDirectoryRva
        BitConverter.TryWriteBytes(b.AsSpan(16), 0u);              // CheckSum
        BitConverter.TryWriteBytes(b.AsSpan(20), (uint)new DateTimeOffset(at).ToUnixTimeSeconds());
        BitConverter.TryWriteBytes(b.AsSpan(24), 0x2UL);           // MiniDumpWithFullMemory
        return b;
    }

    /// <summary>The exported mailbox, zipped for exfiltration in ProgramData (facts §3.5: ProgramData\pst, it.zip).</summary>
    private static byte[] Archive(DemoRandom r, string mailbox, DateTime at)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("pst/" + mailbox.Split('@')[0] + ".pst", CompressionLevel.Fastest);
            entry.LastWriteTime = new DateTimeOffset(at);
            using var s = entry.Open();
            var pst = new byte[32 * 1024];
            for (var i = 0; i < pst.Length; i += 8) BitConverter.TryWriteBytes(pst.AsSpan(i), r.NextULong());
            "!BDN"u8.CopyTo(pst);
            s.Write(pst);
        }
        return ms.ToArray();
    }

    private static byte[] Png(DemoRandom r)
    {
        var b = new byte[2048];
        for (var i = 0; i < b.Length; i += 8) BitConverter.TryWriteBytes(b.AsSpan(i), r.NextULong());
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(b, 0);
        return b;
    }
}
