using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>Which log an event is from, by provider or channel (JSON exports sometimes carry only one of them).</summary>
internal static class EventKinds
{
    public const string SysmonProvider = "Microsoft-Windows-Sysmon";
    public const string SysmonChannel = "Microsoft-Windows-Sysmon/Operational";
    public const string SecurityProvider = "Microsoft-Windows-Security-Auditing";
    public const string EventlogProvider = "Microsoft-Windows-Eventlog";
    public const string DefenderProvider = "Microsoft-Windows-Windows Defender";
    public const string DefenderChannel = "Microsoft-Windows-Windows Defender/Operational";

    public static bool IsSysmon(WinEvent e, int id) =>
        e.EventId == id && (e.Provider.Eq(SysmonProvider) || e.Channel.Eq(SysmonChannel));

    public static bool IsSecurity(WinEvent e, int id) =>
        e.EventId == id && (e.Channel.Eq("Security") || e.Provider.Eq(SecurityProvider));

    public static bool IsDefender(WinEvent e) =>
        e.Provider.Eq(DefenderProvider) || e.Channel.Eq(DefenderChannel);

    public static bool IsApplication(WinEvent e) => e.Channel.Eq("Application") || e.Channel.Length == 0;
}
