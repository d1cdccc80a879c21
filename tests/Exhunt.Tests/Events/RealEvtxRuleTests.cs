using Exhunt.Findings;
using Exhunt.Tests.Support;
using Xunit.Abstractions;

namespace Exhunt.Tests.Events;

/// <summary>
/// The event rules on records OUR EVTX reader makes from real recorded attacks (../shared/corpus/evtx): Sysmon 1, 10
/// and 11, Security 4688/4656/4663/1102, Defender 1116/1117 and MSExchange Management shapes as they really are.
/// (EvtxOracleRuleTests runs the same files through the python-evtx rendering.)
/// </summary>
public class RealEvtxRuleTests(ITestOutputHelper output)
{
    private List<Finding> Scan(string relative)
    {
        var events = ManagementEvtx.Read(Corpus.Path_("evtx/" + relative));
        Assert.NotEmpty(events);
        var findings = ManagementEvtx.Detect(events, relative);
        foreach (var f in findings) output.WriteLine($"{f.Record} {f.Rule.Id} | {f.Host} | {f.DisplayTitle} | {f.Outcome} | {f.Evidence}");
        return findings;
    }

    [SkippableFact]
    public void Sysmon_1_web_shell_of_a_non_exchange_app_pool_is_weak_and_names_the_pool()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx");
        Assert.DoesNotContain(findings, f => f.Rule.Implies == Proves.Compromise);
        var f = Assert.Single(findings, x => x.Rule.Id == "evt-proc-w3wp-shell-non-exchange");
        Assert.Equal("w3wp.exe (DefaultAppPool) started cmd.exe", f.Title);
        Assert.Equal("DefaultAppPool", f.Details!["appPool"]);
        Assert.Equal("IEWIN7", f.Host);
        Assert.Equal(Severity.High, f.Severity);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
        Assert.Null(f.Rule.WithExploitation);
        Assert.Equal("\"c:\\windows\\system32\\cmd.exe\" /c net user", f.Evidence);
    }

    [SkippableFact]
    public void Sysmon_1_powershell_from_a_default_app_pool_worker_is_not_exchange_compromise()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Credential Access/discovery_sysmon_1_iis_pwd_and_config_discovery_appcmd.evtx");
        var f = Assert.Single(findings, x => x.Rule.Id == "evt-proc-w3wp-shell-non-exchange");
        Assert.EndsWith("started powershell.exe", f.Title);
        Assert.DoesNotContain(findings, x => x.Rule.Implies == Proves.Compromise);
    }

    [SkippableFact]
    public void Sysmon_1_unusual_w3wp_child()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Privilege Escalation/privesc_rotten_potato_from_webshell_metasploit_sysmon_1_8_3.evtx");
        var f = Assert.Single(findings, x => x.Rule.Id == "evt-proc-w3wp-unusual-child" && x.DisplayTitle.EndsWith("started notepad.exe"));
        Assert.Equal("DefaultAppPool", f.Details!["appPool"]);
    }

    [SkippableFact]
    public void Sysmon_1_comsvcs_minidump_command()
    {
        var f = Assert.Single(Scan("EVTX-ATTACK-SAMPLES/Credential Access/sysmon_10_1_memdump_comsvcs_minidump.evtx"), x => x.Rule.Id == "evt-lsass-dump-cmdline");
        Assert.Contains("comsvcs.dll, MiniDump", f.Evidence);
    }

    [SkippableFact]
    public void Sysmon_10_and_11_lsass_access_and_dump_files()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Credential Access/sysmon_10_11_lsass_memdump.evtx");
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-access-dump" && f.DisplayTitle.StartsWith("procdump.exe") && f.Details!["event"].EndsWith(" 10"));
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-dump-file" && f.Evidence!.EndsWith("lsass.exe_190317_120941.dmp") && f.Details!["event"].EndsWith(" 11"));
        Assert.All(findings, f => Assert.False(string.IsNullOrEmpty(f.Host)));
    }

    [SkippableFact]
    public void Sysmon_11_transport_agent_list_edited_by_hand()
    {
        var f = Assert.Single(Scan("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0003-Persistence/T1505-Server Software Component/ID11-Exchange transport config modified.evtx"));
        Assert.Equal("evt-file-transport-agents-config", f.Rule.Id);
        Assert.EndsWith(@"\TransportRoles\Shared\agents.config", f.Evidence);
    }

    [SkippableFact]
    public void Security_4688_lsassy_command_line()
    {
        var findings = Scan("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0006-Credential Access/T1003-Credential dumping/ID4688-4663-4656-LSASS dump with LSASSY (process).evtx");
        var hits = findings.Where(f => f.Rule.Id == "evt-lsass-dump-cmdline").ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, f => Assert.Equal("Security 4688", f.Details!["event"]));
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-access-dump" && f.Details!["event"] is "Security 4656" or "Security 4663");
    }

    [SkippableFact]
    public void Security_4656_4663_lsass_handle()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Credential Access/CA_hashdump_4663_4656_lsass_access.evtx");
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-access-dump" && f.Details!["event"] == "Security 4656");
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-access-dump" && f.Details!["event"] == "Security 4663");
    }

    [SkippableFact]
    public void Security_log_cleared()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Privilege Escalation/Runas_4624_4648_Webshell_CreateProcessAsUserA.evtx");
        Assert.Contains(findings, f => f.Rule.Id == "evt-defense-eventlog-cleared");
    }

    [SkippableFact]
    public void Defender_1116_1117_web_shell_in_a_test_kit_folder_is_weak()
    {
        // AtomicRedTeam's cmd.aspx sits in C:\AtomicRedTeam\...\shells, served by nothing: not a planted shell.
        var findings = Scan("EVTX-ATTACK-SAMPLES/AutomatedTestingTools/WinDefender_Events_1117_1116_AtomicRedTeam.evtx");
        var hits = findings.Where(f => f.Rule.Id == "evt-defender-webshell-unserved").ToList();
        Assert.Equal(2, hits.Count);
        Assert.All(hits, f => Assert.Equal(Proves.Weak, f.Rule.Implies));
        Assert.All(hits, f => Assert.Equal("MSEDGEWIN10", f.Host));
        Assert.DoesNotContain(findings, f => f.Rule.Implies == Proves.Compromise);
    }
}
