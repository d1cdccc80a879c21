using Exhunt.Detection;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Tests.Events;

/// <summary>WinEvents shaped as Sysmon, Security, Defender and Exchange write them, and a runner over the built-in rules.</summary>
public static class EventFixtures
{
    /// <summary>The event rules of this area only, so other areas' rules merged later cannot change these assertions.</summary>
    public static readonly IEventRule[] Rules = RuleSet.BuiltIn().EventRules.Where(r => r.GetType().Namespace == "Exhunt.Detection.Events").ToArray();
    public static readonly DateTime T = new(2021, 3, 3, 4, 12, 30, DateTimeKind.Utc);

    public static WinEvent Event(string provider, string channel, int id, int level, params (string Name, string Value)[] data)
    {
        var e = new WinEvent { Provider = provider, Channel = channel, EventId = id, Level = level, TimeCreated = T, Computer = "EX01.contoso.local", RecordId = 4242 };
        foreach (var (n, v) in data) e.Data.Add(new KeyValuePair<string, string>(n, v));
        return e;
    }

    public static WinEvent Sysmon(int id, params (string, string)[] data) =>
        Event("Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", id, 4, [("RuleName", "-"), ("UtcTime", "2021-03-03 04:12:30.118"), .. data]);

    public static WinEvent Sysmon1(string image, string commandLine, string parentImage, string? parentCommandLine = null, string user = @"NT AUTHORITY\SYSTEM") =>
        Sysmon(1, ("ProcessGuid", "{6004D249-AFCF-604D-2A27-000000000900}"), ("ProcessId", "23392"), ("Image", image),
            ("CommandLine", commandLine), ("CurrentDirectory", @"c:\windows\system32\inetsrv\"), ("User", user),
            ("LogonId", "0x3e7"), ("IntegrityLevel", "System"), ("ParentProcessId", "10844"), ("ParentImage", parentImage),
            ("ParentCommandLine", parentCommandLine ?? $"\"{parentImage}\""));

    public static WinEvent Security4688(string newProcess, string commandLine, string parentProcess) =>
        Event("Microsoft-Windows-Security-Auditing", "Security", 4688, 0,
            ("SubjectUserSid", "S-1-5-18"), ("SubjectUserName", "EX01$"), ("SubjectDomainName", "CONTOSO"), ("SubjectLogonId", "0x3e7"),
            ("NewProcessId", "0x5b60"), ("NewProcessName", newProcess), ("TokenElevationType", "%%1936"), ("ProcessId", "0x2a5c"),
            ("CommandLine", commandLine), ("TargetUserSid", "S-1-0-0"), ("TargetUserName", "-"), ("TargetDomainName", "-"),
            ("TargetLogonId", "0x0"), ("ParentProcessName", parentProcess), ("MandatoryLabel", "S-1-16-16384"));

    public static WinEvent Sysmon11(string image, string target) =>
        Sysmon(11, ("ProcessGuid", "{6004D249-09F8-604D-AF19-000000000900}"), ("ProcessId", "13416"), ("Image", image),
            ("TargetFilename", target), ("CreationUtcTime", "2021-03-03 04:12:30.118"), ("User", @"NT AUTHORITY\SYSTEM"));

    /// <summary>MSExchange Management as a JSON export renders it (the OTRF export keeps only the message).</summary>
    public static WinEvent CmdletMessage(int id, string cmdlet, string parameters) =>
        Event("MSExchange CmdletLogs", "MSExchange Management", id, id == 1 ? 4 : 2,
            ("Message", $"Cmdlet {(id == 1 ? "suceeded" : "failed")}. Cmdlet {cmdlet}, parameters {parameters}."));

    /// <summary>MSExchange Management as .evtx stores it: one data value of &lt;string&gt; elements.</summary>
    public static WinEvent CmdletBlob(int id, string cmdlet, string parameters, string user = "contoso.local/Users/Administrator") =>
        Event("MSExchange CmdletLogs", "MSExchange Management", id, id == 1 ? 4 : 2,
            ("Data1", $"<string>{cmdlet}</string>\n<string>{parameters}</string>\n<string>{user}</string>\n<string>S-1-5-21-1-2-3-500</string>\n<string>S-1-5-21-1-2-3-500</string>\n<string>Remote-ManagementShell-Unknown</string>\n<string>8372 w3wp#MSExchangePowerShellAppPool</string>\n<string></string>\n<string>54</string>"));

    public static (List<Finding> Findings, ScanContext Context) Run(params WinEvent[] events)
    {
        var context = new ScanContext();
        var n = 0;
        foreach (var e in events)
        {
            var origin = new EventOrigin("evidence/events.json", ++n);
            foreach (var rule in Rules) rule.Inspect(e, origin, context);
        }
        return (context.Findings.Snapshot().ToList(), context);
    }

    public static List<string> Ids(params WinEvent[] events) => Run(events).Findings.Select(f => f.Rule.Id).ToList();
}
