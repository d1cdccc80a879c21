using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>A process creation from Sysmon 1 or Security 4688, with the field names each writes.</summary>
internal readonly struct ProcessStart
{
    public string? Image { get; init; }
    public string? CommandLine { get; init; }
    public string? ParentImage { get; init; }
    public string? ParentCommandLine { get; init; }
    private WinEvent? Source { get; init; }
    private bool FromSecurityLog { get; init; }

    /// <summary>The account, built only when a finding needs it (4688 joins domain and name).</summary>
    public string? User => Source is null ? null : FromSecurityLog ? SecurityUser(Source) : Source.Get("User");

    /// <summary>The event IDs <see cref="TryRead"/> reads (Sysmon 1, Security 4688).</summary>
    public static readonly IReadOnlyList<int> EventIds = [1, 4688];

    public static bool TryRead(WinEvent e, out ProcessStart p)
    {
        if (EventKinds.IsSysmon(e, 1))
        {
            p = new ProcessStart
            {
                Image = e.Get("Image"), CommandLine = e.Get("CommandLine"), ParentImage = e.Get("ParentImage"),
                ParentCommandLine = e.Get("ParentCommandLine"), Source = e,
            };
            return true;
        }
        if (EventKinds.IsSecurity(e, 4688))
        {
            p = new ProcessStart
            {
                // ECS-only exports carry the 4688 paths as process.executable / process.parent.executable (read as Image / ParentImage).
                Image = e.Get("NewProcessName") ?? e.Get("Image"), CommandLine = e.Get("CommandLine"),
                ParentImage = e.Get("ParentProcessName") ?? e.Get("ParentImage"),
                Source = e, FromSecurityLog = true,
            };
            return true;
        }
        p = default;
        return false;
    }

    /// <summary>4688: the new process's account when logged (TargetUserName), else the creator (SubjectUserName).</summary>
    private static string? SecurityUser(WinEvent e)
    {
        var target = e.Get("TargetUserName");
        if (target is { Length: > 0 } && target != "-") return Join(e.Get("TargetDomainName"), target);
        var subject = e.Get("SubjectUserName");
        return subject is { Length: > 0 } && subject != "-" ? Join(e.Get("SubjectDomainName"), subject) : null;
    }

    public static string Join(string? domain, string user) => domain is { Length: > 0 } && domain != "-" ? domain + "\\" + user : user;
}
