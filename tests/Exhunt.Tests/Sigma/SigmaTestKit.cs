using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Readers;

namespace Exhunt.Tests.Sigma;

/// <summary>Builds one-rule Sigma sets and events for the specification tests.</summary>
internal static class SigmaTestKit
{
    public const string Sysmon = "Microsoft-Windows-Sysmon/Operational";

    /// <summary>A process_creation rule with the given detection body (indented YAML under "detection:").</summary>
    public static SigmaRuleSet Rule(string detection, string logsource = "    category: process_creation\n    product: windows\n")
    {
        var yaml = $"title: test\nid: 11111111-2222-3333-4444-555555555555\nlevel: high\nlogsource:\n{logsource}detection:\n{detection}";
        var set = SigmaLoader.LoadText(yaml);
        Assert.True(set.Report.Rejected.Count == 0, string.Join("; ", set.Report.Rejected.Select(r => r.Reason)));
        Assert.Equal(1, set.Report.Loaded);
        return set;
    }

    public static string Reject(string detection)
    {
        var yaml = $"title: test\nid: 11111111-2222-3333-4444-555555555555\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n{detection}";
        var set = SigmaLoader.LoadText(yaml);
        return Assert.Single(set.Report.Rejected).Reason;
    }

    public static WinEvent Process(params (string Name, string Value)[] data)
    {
        var e = new WinEvent { Channel = Sysmon, Provider = "Microsoft-Windows-Sysmon", EventId = 1, Computer = "EX01.contoso.local", TimeCreated = new DateTime(2021, 3, 3, 1, 2, 3, DateTimeKind.Utc) };
        foreach (var (n, v) in data) e.Data.Add(new(n, v));
        return e;
    }

    public static int Hits(SigmaRuleSet set, WinEvent e)
    {
        var context = new ScanContext();
        set.Inspect(e, new EventOrigin("test.evtx", 1), context);
        return context.Findings.Snapshot().Count;
    }

    public static bool Matches(SigmaRuleSet set, WinEvent e) => Hits(set, e) > 0;
}
