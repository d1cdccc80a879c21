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

    public const string ApplicationChannel = "Application";
    public const string SecurityChannel = "Security";

    // What rules declare they read (IEventRule.Channels / Providers): a channel OR a provider, as the checks below accept.
    public static readonly IReadOnlyList<string> SysmonChannels = [SysmonChannel];
    public static readonly IReadOnlyList<string> SysmonProviders = [SysmonProvider];
    public static readonly IReadOnlyList<string> SecurityChannels = [SecurityChannel];
    public static readonly IReadOnlyList<string> SecurityProviders = [SecurityProvider];
    public static readonly IReadOnlyList<string> SysmonOrSecurityChannels = [SysmonChannel, SecurityChannel];
    public static readonly IReadOnlyList<string> SysmonOrSecurityProviders = [SysmonProvider, SecurityProvider];
    public static readonly IReadOnlyList<string> DefenderChannels = [DefenderChannel];
    public static readonly IReadOnlyList<string> DefenderProviders = [DefenderProvider];
    /// <summary><see cref="IsApplication"/>: the Application log, or an export that names no channel.</summary>
    public static readonly IReadOnlyList<string> ApplicationChannels = [ApplicationChannel, ""];

    public static bool IsSysmon(WinEvent e, int id) =>
        e.EventId == id && (e.Provider.Eq(SysmonProvider) || e.Channel.Eq(SysmonChannel));

    public static bool IsSecurity(WinEvent e, int id) =>
        e.EventId == id && (e.Channel.Eq(SecurityChannel) || e.Provider.Eq(SecurityProvider));

    public static bool IsDefender(WinEvent e) =>
        e.Provider.Eq(DefenderProvider) || e.Channel.Eq(DefenderChannel);

    public static bool IsApplication(WinEvent e) => e.Channel.Eq(ApplicationChannel) || e.Channel.Length == 0;
}
