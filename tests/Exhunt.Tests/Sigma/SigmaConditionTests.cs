using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Readers;
using static Exhunt.Tests.Sigma.SigmaTestKit;

namespace Exhunt.Tests.Sigma;

/// <summary>The condition grammar, keyword searches, multi-document rules and filters.</summary>
public class SigmaConditionTests
{
    private const string ABC =
        "    sel_a:\n        CommandLine|contains: 'alpha'\n    sel_b:\n        CommandLine|contains: 'beta'\n    _helper:\n        CommandLine|contains: 'gamma'\n    filter_x:\n        User: 'SYSTEM'\n";

    [Theory]
    [InlineData("sel_a and sel_b", "alpha beta", true)]
    [InlineData("sel_a and sel_b", "alpha", false)]
    [InlineData("sel_a or sel_b", "beta", true)]
    [InlineData("not sel_a", "beta", true)]
    [InlineData("not sel_a", "alpha", false)]
    [InlineData("sel_a and not sel_b", "alpha beta", false)]
    [InlineData("sel_a or sel_b and _helper", "alpha", true)]          // and binds tighter than or
    [InlineData("(sel_a or sel_b) and _helper", "alpha", false)]
    [InlineData("not sel_a and sel_b", "beta", true)]                  // not binds tighter than and
    [InlineData("not (sel_a and sel_b)", "alpha", true)]
    [InlineData("1 of sel_*", "beta", true)]
    [InlineData("all of sel_*", "beta", false)]
    [InlineData("all of sel_*", "alpha beta", true)]
    [InlineData("1 of them", "gamma", false)]                          // 'them' leaves out _ identifiers
    [InlineData("1 of them", "alpha", true)]
    [InlineData("all of them", "alpha beta", false)]                   // filter_x (User) is part of them
    [InlineData("1 of sel_* and not 1 of filter_*", "alpha", true)]
    [InlineData("_helper", "gamma", true)]
    [InlineData("1 of _*", "gamma", true)]
    [InlineData("not 1 of sel_* or _helper", "gamma", true)]
    public void Condition_forms(string condition, string commandLine, bool expected)
    {
        var set = Rule(ABC + $"    condition: {condition}\n");
        Assert.Equal(expected, Matches(set, Process(("CommandLine", commandLine), ("User", "alice"))));
    }

    [Fact]
    public void All_of_them_with_every_search_true()
    {
        var set = Rule(ABC + "    condition: all of them\n");
        Assert.True(Matches(set, Process(("CommandLine", "alpha beta"), ("User", "system"))));
    }

    [Fact]
    public void A_list_of_conditions_is_ored()
    {
        var set = Rule(ABC + "    condition:\n        - sel_a and sel_b\n        - _helper\n");
        Assert.True(Matches(set, Process(("CommandLine", "gamma"))));
        Assert.True(Matches(set, Process(("CommandLine", "alpha beta"))));
        Assert.False(Matches(set, Process(("CommandLine", "alpha"))));
    }

    [Fact]
    public void List_of_maps_is_or_of_ands()
    {
        var set = Rule("    sel:\n        - Image|endswith: '\\a.exe'\n          CommandLine|contains: 'x'\n        - Image|endswith: '\\b.exe'\n    condition: sel\n");
        Assert.True(Matches(set, Process(("Image", @"C:\a.exe"), ("CommandLine", "x"))));
        Assert.False(Matches(set, Process(("Image", @"C:\a.exe"), ("CommandLine", "y"))));
        Assert.True(Matches(set, Process(("Image", @"C:\b.exe"))));
    }

    [Fact]
    public void Bad_conditions_are_rejected_with_reasons()
    {
        Assert.Contains("unknown search identifier 'nope'", Reject("    sel:\n        Image: x\n    condition: sel and nope\n"));
        Assert.Contains("matches no search identifier", Reject("    sel:\n        Image: x\n    condition: 1 of filter_*\n"));
        Assert.Contains("missing ')'", Reject("    sel:\n        Image: x\n    condition: (sel\n"));
        Assert.Contains("aggregation", Reject("    sel:\n        Image: x\n    condition: sel | count() by Image > 5\n"));
    }

    private static WinEvent Management(params string[] values)
    {
        var e = new WinEvent { Channel = "MSExchange Management", Provider = "MSExchange CmdletLogs", EventId = 1 };
        for (var i = 0; i < values.Length; i++) e.Data.Add(new($"Data{i + 1}", values[i]));
        return e;
    }

    [Fact]
    public void Keyword_lists_search_every_value_and_all_makes_them_and()
    {
        const string ls = "    product: windows\n    service: msexchange-management\n";
        var any = Rule("    keywords:\n        - 'Set-OabVirtualDirectory'\n        - 'New-MailboxExportRequest'\n    condition: keywords\n", ls);
        var all = Rule("    keywords:\n        '|all':\n            - 'Set-OabVirtualDirectory'\n            - 'ExternalUrl'\n            - 'Page_Load'\n    condition: keywords\n", ls);
        var shell = Management("Set-OabVirtualDirectory", "-ExternalUrl 'http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"x\"])}</script>' -Identity 'OAB (Default Web Site)'");
        Assert.True(Matches(any, shell));
        Assert.True(Matches(all, shell));
        Assert.False(Matches(all, Management("Set-OabVirtualDirectory", "-ExternalUrl 'https://mail.contoso.com/OAB'")));
        Assert.False(Matches(any, Management("Get-Mailbox")));
        // Another channel never reaches the rule.
        var other = shell;
        other.Channel = "Application";
        Assert.False(Matches(any, other));
    }

    [Fact]
    public void Multi_document_rule_with_global_section()
    {
        const string yaml = """
            action: global
            title: Multi
            id: 22222222-0000-0000-0000-000000000000
            level: high
            detection:
                sel:
                    CommandLine|contains: 'evil'
                condition: sel
            ---
            logsource:
                category: process_creation
                product: windows
            ---
            logsource:
                product: windows
                service: security
            detection:
                sel:
                    EventID: 4688
                    CommandLine|contains: 'evil'
            """;
        var set = SigmaLoader.LoadText(yaml);
        Assert.Empty(set.Report.Rejected);
        Assert.Equal(2, set.Report.Loaded);
        Assert.True(Matches(set, Process(("CommandLine", "an evil one"))));
        var security = new WinEvent { Channel = "Security", EventId = 4688 };
        security.Data.Add(new("CommandLine", "evil"));
        Assert.Equal(1, Hits(set, security));
    }

    [Fact]
    public void Filters_apply_to_the_rules_they_name()
    {
        const string yaml = """
            title: Whoami
            id: 33333333-0000-0000-0000-000000000000
            logsource:
                category: process_creation
                product: windows
            detection:
                sel:
                    Image|endswith: '\whoami.exe'
                condition: sel
            ---
            title: Not for the admins
            id: 44444444-0000-0000-0000-000000000000
            logsource:
                category: process_creation
                product: windows
            filter:
                rules:
                    - 33333333-0000-0000-0000-000000000000
                selection:
                    User|startswith: 'adm_'
                condition: selection
            """;
        var set = SigmaLoader.LoadText(yaml);
        Assert.Equal(1, set.Report.Loaded);
        Assert.Equal(1, set.Report.Filters);
        Assert.True(Matches(set, Process(("Image", @"C:\Windows\System32\whoami.exe"), ("User", "alice"))));
        Assert.False(Matches(set, Process(("Image", @"C:\Windows\System32\whoami.exe"), ("User", "adm_bob"))));
    }

    [Fact]
    public void Process_creation_on_security_4688_uses_the_renamed_fields()
    {
        var set = Rule("    sel:\n        ParentImage|endswith: '\\w3wp.exe'\n        Image|endswith: '\\cmd.exe'\n    condition: sel\n");
        var e = new WinEvent { Channel = "Security", EventId = 4688, Provider = "Microsoft-Windows-Security-Auditing" };
        e.Data.Add(new("NewProcessName", @"C:\Windows\System32\cmd.exe"));
        e.Data.Add(new("ParentProcessName", @"c:\windows\system32\inetsrv\w3wp.exe"));
        Assert.True(Matches(set, e));
        e.EventId = 4689;
        Assert.False(Matches(set, e));
    }

    [Fact]
    public void Finding_carries_id_severity_attack_and_matched_fields()
    {
        const string yaml = """
            title: Webshell Child
            id: 55555555-0000-0000-0000-000000000000
            level: high
            tags:
                - attack.persistence
                - attack.t1505.003
                - cve.2021-26855
            logsource:
                category: process_creation
                product: windows
            detection:
                sel:
                    ParentImage|endswith: '\w3wp.exe'
                condition: sel
            """;
        var set = SigmaLoader.LoadText(yaml);
        var context = new ScanContext();
        set.Inspect(Process(("ParentImage", @"C:\w3wp.exe"), ("Image", "cmd.exe")), new EventOrigin("a.evtx", 7), context);
        var f = Assert.Single(context.Findings.Snapshot());
        Assert.Equal("sigma:55555555-0000-0000-0000-000000000000", f.Rule.Id);
        Assert.Equal(Exhunt.Findings.Severity.High, f.Severity);
        Assert.Equal(["T1505.003"], f.Rule.Attack);
        Assert.Equal(["CVE-2021-26855"], f.Rule.Cves);
        Assert.Equal("persistence", f.Rule.Tactic);
        Assert.Equal(Exhunt.Findings.Proves.Weak, f.Rule.Implies);
        Assert.Equal(Exhunt.Findings.Proves.Compromise, f.Rule.WithExploitation);
        Assert.Equal("EX01.contoso.local", f.Host);
        Assert.Contains(@"ParentImage=C:\w3wp.exe", f.Evidence);
        Assert.Equal(7, f.Record);
    }
}
