using Exhunt.Detection;
using Exhunt.Findings;
using Exhunt.Tests.Support;
using Xunit.Abstractions;

namespace Exhunt.Tests.Events;

/// <summary>The event rules on real recorded attacks (EVTX-ATTACK-SAMPLES, hayabusa samples) via the python-evtx oracle.</summary>
public class EvtxOracleRuleTests(ITestOutputHelper output)
{

    private List<Finding> Scan(string oracleRelative)
    {
        var path = Corpus.Path_("evtx-oracle/" + oracleRelative + ".jsonl.gz");
        var context = new ScanContext();
        foreach (var (record, e) in OracleXml.Read(path))
            foreach (var rule in EventFixtures.Rules)
                rule.Inspect(e, new EventOrigin(oracleRelative, record), context);
        var findings = context.Findings.Snapshot().ToList();
        foreach (var f in findings) output.WriteLine($"{f.Record} {f.Rule.Id} | {f.DisplayTitle} | {f.Outcome} | {f.Evidence}");
        return findings;
    }

    [SkippableFact]
    public void Iis_web_shell_running_net_user()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Lateral Movement/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx");
        // DefaultAppPool is not Exchange's: a web shell, but no Exchange compromise on its own.
        Assert.DoesNotContain(findings, x => x.Rule.Id == "evt-proc-w3wp-shell");
        var f = Assert.Single(findings, x => x.Rule.Id == "evt-proc-w3wp-shell-non-exchange");
        Assert.Equal("w3wp.exe (DefaultAppPool) started cmd.exe", f.Title);
        Assert.Equal(@"IIS APPPOOL\DefaultAppPool", f.User);
        Assert.Equal(new DateTime(2019, 5, 24, 1, 33, 53, DateTimeKind.Utc).AddTicks(1124860), f.Time);
    }

    [SkippableFact]
    public void Meterpreter_web_shell_starting_notepad_is_an_unusual_w3wp_child()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Privilege Escalation/privesc_rotten_potato_from_webshell_metasploit_sysmon_1_8_3.evtx");
        Assert.Contains(findings, f => f.Rule.Id == "evt-proc-w3wp-unusual-child" && f.DisplayTitle.EndsWith("started notepad.exe"));
    }

    [SkippableFact]
    public void Comsvcs_minidump_command()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Credential Access/sysmon_10_1_memdump_comsvcs_minidump.evtx");
        var f = Assert.Single(findings, x => x.Rule.Id == "evt-lsass-dump-cmdline");
        Assert.Contains("comsvcs.dll, MiniDump", f.Evidence);
    }

    [SkippableFact]
    public void Procdump_and_task_manager_lsass_dumps()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Credential Access/sysmon_10_11_lsass_memdump.evtx");
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-access-dump" && f.DisplayTitle.StartsWith("procdump.exe"));
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-access-dump" && f.DisplayTitle.StartsWith("taskmgr.exe"));
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-dump-file" && f.Evidence!.EndsWith("lsass.exe_190317_120941.dmp"));
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-dump-file" && f.Evidence!.EndsWith(@"lsass (2).DMP"));
    }

    [SkippableFact]
    public void Lsassy_remote_comsvcs_dump()
    {
        var findings = Scan("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0006-Credential Access/T1003-Credential dumping/ID1-LSASS dump with LSASSY (SYSMON).evtx");
        Assert.Contains(findings, f => f.Rule.Id == "evt-lsass-dump-cmdline");
    }

    [SkippableFact]
    public void Failed_transport_agent_install_from_the_evtx_blob()
    {
        var findings = Scan("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0003-Persistence/T1505-Server Software Component/ID6-Failed to install an Exchange transport agent.evtx");
        var install = findings.Where(f => f.Rule.Id == "evt-exch-transport-agent-install").ToList();
        Assert.NotEmpty(install);
        Assert.All(install, f =>
        {
            Assert.Equal(Outcome.Failed, f.Outcome);
            Assert.Equal("offsec.lan/OFFSEC-COMPANY/Administrators/admmig", f.User);
            Assert.Equal(@".\NetshHelperBeacon.dll", f.Details!["assemblyPath"]);
        });
        Assert.DoesNotContain(findings, f => f.Rule.Id != "evt-exch-transport-agent-install");
    }

    [SkippableFact]
    public void Security_log_cleared_after_web_shell_runas()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Privilege Escalation/Runas_4624_4648_Webshell_CreateProcessAsUserA.evtx");
        Assert.Contains(findings, f => f.Rule.Id == "evt-defense-eventlog-cleared");
    }

    [SkippableFact]
    public void Security_4656_4663_lsass_handle_with_memory_read()
    {
        var findings = Scan("EVTX-ATTACK-SAMPLES/Credential Access/CA_hashdump_4663_4656_lsass_access.evtx");
        Assert.Equal(2, findings.Count(f => f.Rule.Id == "evt-lsass-access-dump" && f.DisplayTitle.StartsWith("cscript.exe")));
    }

    [SkippableFact]
    public void Transport_agent_list_edited_by_hand()
    {
        var findings = Scan("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0003-Persistence/T1505-Server Software Component/ID11-Exchange transport config modified.evtx");
        Assert.Equal("agents.config written by notepad++.exe", Assert.Single(findings).DisplayTitle);
    }
}
