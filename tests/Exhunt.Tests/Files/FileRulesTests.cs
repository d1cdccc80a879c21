using System.Buffers.Binary;
using System.Text;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Files;

public class FileRulesTests
{
    private const string OwaAuth = "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/";
    private const string ChopperLine = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"exec_code\"],\"unsafe\");%>";

    // ---- minidumps --------------------------------------------------------------------------------------------

    /// <summary>A minimal MINIDUMP: header, one-entry stream directory, ModuleListStream, MINIDUMP_STRING names.</summary>
    internal static byte[] Minidump(params string[] modules)
    {
        var buf = new byte[4096];
        "MDMP"u8.CopyTo(buf);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(4), 0xA793);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(8), 1);   // NumberOfStreams
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(12), 32); // StreamDirectoryRva
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(32), 4);  // ModuleListStream
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(36), (uint)(4 + 108 * modules.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(40), 64);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(64), (uint)modules.Length);
        var strings = 64 + 4 + 108 * modules.Length;
        for (var i = 0; i < modules.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(64 + 4 + 108 * i + 20), (uint)strings);
            var name = Encoding.Unicode.GetBytes(modules[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(strings), (uint)name.Length);
            name.CopyTo(buf, strings + 4);
            strings += 4 + name.Length + 2;
        }
        return buf;
    }

    [Fact]
    public void Lsass_dump_under_any_name_is_context_that_counts_with_exploitation()
    {
        var file = Fixture.File("C/Windows/Temp/1.gif", Minidump(@"C:\Windows\System32\lsass.exe", @"C:\Windows\SYSTEM32\ntdll.dll"));
        Assert.Equal(ArtifactKind.Minidump, file.Kind);
        var hit = Assert.Single(FileRuleHarness.Run(file), f => f.Rule.Id == "file-lsass-dump");
        Assert.Equal(Proves.Context, hit.Rule.Implies);
        Assert.Equal(Proves.Compromise, hit.Rule.WithExploitation);
        Assert.Equal(@"C:\Windows\System32\lsass.exe", hit.Details!["process_image"]);
        Assert.Equal(64, hit.Details["sha256"].Length);
    }

    [Fact]
    public void Crash_dump_of_another_process_is_plain_context()
    {
        var file = Fixture.File("C/ProgramData/Microsoft/Windows/WER/ReportQueue/x/w3wp.exe.mdmp",
            Minidump(@"C:\Windows\System32\inetsrv\w3wp.exe", @"C:\Windows\SYSTEM32\ntdll.dll"));
        var findings = FileRuleHarness.Run(file);
        Assert.DoesNotContain(findings, f => f.Rule.Id == "file-lsass-dump");
        var hit = Assert.Single(findings, f => f.Rule.Id == "file-process-dump");
        Assert.Null(hit.Rule.WithExploitation);
    }

    [Fact]
    public void Truncated_minidump_is_treated_as_lsass_and_does_not_throw()
    {
        var bytes = Minidump(@"C:\Windows\System32\lsass.exe")[..40];
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("root/lsass.dmp", bytes)), f => f.Rule.Id == "file-lsass-dump");
        Assert.Equal("(module list not readable)", hit.Details!["process_image"]);
    }

    [Fact]
    public void Lsass_dump_name_without_minidump_content_is_reported_by_name()
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/root/lsass.dmp", "\x01\x02xor-encoded")), f => f.Rule.Id.StartsWith("file-lsass"));
        Assert.Equal("file-lsass-dump-name", hit.Rule.Id);
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/Windows/Temp/lsass.log", "x")), f => f.Rule.Id.StartsWith("file-lsass"));
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/Windows/Temp/memory.dmp", "x")), f => f.Rule.Id.StartsWith("file-lsass"));
    }

    // ---- archives ---------------------------------------------------------------------------------------------

    /// <summary>A stored zip with the given entry names (real local headers, no central directory needed for the rule).</summary>
    internal static byte[] Zip(params string[] names)
    {
        var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var n in names)
            {
                var e = zip.CreateEntry(n, System.IO.Compression.CompressionLevel.NoCompression);
                using var s = e.Open();
                s.Write("data"u8);
            }
        return ms.ToArray();
    }

    [Fact]
    public void Zip_in_programdata_is_context_raised_only_to_weak_by_exploitation()
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/ProgramData/it.zip", Zip("notes.txt"))), f => f.Rule.Id.StartsWith("file-archive"));
        Assert.Equal("file-archive-programdata", hit.Rule.Id);
        Assert.Equal(Proves.Context, hit.Rule.Implies);
        Assert.Equal(Proves.Weak, hit.Rule.WithExploitation);
        Assert.Equal("notes.txt", hit.Details!["first_entries"]);
    }

    [Fact]
    public void Archive_holding_a_dump_or_mailbox_is_staging()
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/ProgramData/pst/out.zip", Zip("pst/ceo.pst", "lsass.dmp"))),
            f => f.Rule.Id.StartsWith("file-archive"));
        Assert.Equal("file-archive-staging", hit.Rule.Id);
        Assert.Equal(Proves.Compromise, hit.Rule.WithExploitation);
        Assert.Contains("ceo.pst", hit.Details!["staged"]);
    }

    [Fact]
    public void Seven_zip_in_a_web_root_is_weak()
    {
        byte[] sevenZip = [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4, 0, 0, 0, 0];
        var file = Fixture.File("C/inetpub/wwwroot/aspnet_client/a.7z", sevenZip);
        Assert.Equal(ArtifactKind.Archive, file.Kind);
        var hit = Assert.Single(FileRuleHarness.Run(file), f => f.Rule.Id.StartsWith("file-archive"));
        Assert.Equal("file-archive-webroot", hit.Rule.Id);
    }

    [Fact]
    public void Archives_elsewhere_and_dll_named_system_stay_quiet()
    {
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/Users/admin/Downloads/tools.zip", Zip("System.dll", "sam.txt"))),
            f => f.Rule.Id.StartsWith("file-archive"));
    }

    [Fact]
    public void Installer_cab_in_programdata_stays_quiet()
    {
        var cab = new byte[100];
        "MSCF"u8.CopyTo(cab);
        BinaryPrimitives.WriteUInt32LittleEndian(cab.AsSpan(16), 44);
        BinaryPrimitives.WriteUInt16LittleEndian(cab.AsSpan(28), 1);
        Encoding.ASCII.GetBytes("setup.msi\0").CopyTo(cab, 44 + 16);
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/ProgramData/Package Cache/{guid}/cab1.cab", cab)), f => f.Rule.Id.StartsWith("file-archive"));
    }

    [Fact]
    public void Cab_listing_is_read_from_the_head()
    {
        var cab = new byte[200];
        "MSCF"u8.CopyTo(cab);
        BinaryPrimitives.WriteUInt32LittleEndian(cab.AsSpan(16), 44); // coffFiles
        BinaryPrimitives.WriteUInt16LittleEndian(cab.AsSpan(28), 2);  // cFiles
        Encoding.ASCII.GetBytes("ip.txt\0").CopyTo(cab, 44 + 16);
        Encoding.ASCII.GetBytes("lsass.dmp\0").CopyTo(cab, 44 + 16 + 7 + 16);
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/inetpub/wwwroot/x.cab", cab)), f => f.Rule.Id.StartsWith("file-archive"));
        Assert.Equal("file-archive-staging", hit.Rule.Id);
        Assert.Equal("ip.txt, lsass.dmp", hit.Details!["first_entries"]);
    }

    // ---- pages ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(OwaAuth + "shell2021.aspx")]
    [InlineData(OwaAuth + "Current/themes/resources/zaivc2.aspx")]
    [InlineData(OwaAuth + "15.1.2106/x.ashx")]
    [InlineData("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/ecp/auth/blank.aspx")]
    [InlineData("C/inetpub/wwwroot/aspnet_client/system_web/4_0_30319/a.aspx")]
    [InlineData("uploads/auto/C%3A/inetpub/wwwroot/aspnet_client/q.aspx")]
    [InlineData("D/Exchange/FrontEnd/HttpProxy/owa/auth/q.aspx")]
    public void Non_stock_page_in_web_shell_folder_is_weak_alone_compromise_with_exploitation(string path)
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File(path, ChopperLine)), f => f.Rule.Id == "file-nonstock-page");
        Assert.Equal(Proves.Weak, hit.Rule.Implies);
        Assert.Equal(Proves.Compromise, hit.Rule.WithExploitation);
        Assert.Equal(path, hit.Artifact);
    }

    [Theory]
    [InlineData(OwaAuth + "logon.aspx")]
    [InlineData(OwaAuth + "errorFE.aspx")]
    [InlineData(OwaAuth + "OutlookCN.aspx")]
    [InlineData(OwaAuth + "Current/scripts/premium/flogon.js")]
    [InlineData("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/ecp/auth/TimeoutLogoff.aspx")]
    [InlineData("C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/default.aspx")]
    [InlineData("C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/Owa/auth/logon2.aspx")]
    [InlineData("C/inetpub/wwwroot/aspnet_client/system_web/4_0_30319/readme.txt")]
    public void Stock_pages_and_other_folders_stay_quiet(string path) =>
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File(path, "<%@ Page Language=\"C#\" %>")), f => f.Rule.Id == "file-nonstock-page");

    [Fact]
    public void Pst_export_written_as_aspx_is_compromise()
    {
        var pst = new byte[600];
        "!BDN"u8.CopyTo(pst);
        Encoding.ASCII.GetBytes(ChopperLine).CopyTo(pst, 300);
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/inetpub/wwwroot/aspnet_client/luifdecggoqmansn2.aspx", pst)),
            f => f.Rule.Id == "file-pst-as-page");
        Assert.Equal(Proves.Compromise, hit.Rule.Implies);
        Assert.Contains("CVE-2021-34473", hit.Rule.Cves);
    }

    [Fact]
    public void Der_certificate_request_written_as_aspx_is_compromise_even_outside_web_roots()
    {
        byte[] der = [0x30, 0x82, 0x02, 0x9A, 0x30, 0x82, 0x01, 0x82, 0x02, 0x01, 0x00];
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/Users/Public/blank.aspx", der)), f => f.Rule.Id == "file-certreq-as-page");
        Assert.Equal("DER (0x30 0x82)", hit.Details!["content"]);
    }

    [Fact]
    public void Pst_and_der_under_their_own_names_stay_quiet()
    {
        var pst = new byte[64];
        "!BDN"u8.CopyTo(pst);
        byte[] der = [0x30, 0x82, 0x02, 0x9A, 0x30, 0x82];
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/ProgramData/export/ceo.pst", pst)), f => f.Rule.Id.Contains("as-page"));
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/certs/request.req", der)), f => f.Rule.Id.Contains("as-page"));
    }
}

public class ProgramDataPageTests
{
    [Theory]
    [InlineData("C/ProgramData/COM1/shell.aspx")]
    [InlineData("C/ProgramData/ZING/a/b.aspx")]
    [InlineData("C/Users/All Users/CON/x.aspx")]
    public void Page_in_device_name_folder_is_compromise(string path)
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File(path, "<%@ Page %>")), f => f.Rule.Id.StartsWith("file-page-programdata"));
        Assert.Equal("file-page-programdata-device-folder", hit.Rule.Id);
        Assert.Equal(Proves.Compromise, hit.Rule.Implies);
    }

    [Fact]
    public void Other_programdata_page_is_weak_and_non_pages_stay_quiet()
    {
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("C/ProgramData/Vendor/status.aspx", "<%@ Page %>")), f => f.Rule.Id.StartsWith("file-page-programdata"));
        Assert.Equal("file-page-programdata", hit.Rule.Id);
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/ProgramData/COM1/readme.txt", "x")), f => f.Rule.Id.StartsWith("file-page-programdata"));
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File("C/inetpub/wwwroot/com1/x.aspx", "x")), f => f.Rule.Id.StartsWith("file-page-programdata"));
    }
}
