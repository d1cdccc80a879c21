using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// A process creation from Sysmon 1 or Security 4688, with the field names each writes, read through the field view:
/// spans into the event (valid while the rule inspects it), strings only when a finding is made.
/// </summary>
internal readonly ref struct ProcessStart
{
    public ReadOnlySpan<char> Image { get; init; }
    public bool HasImage { get; init; }
    public ReadOnlySpan<char> CommandLine { get; init; }
    public bool HasCommandLine { get; init; }
    public ReadOnlySpan<char> ParentImage { get; init; }
    public ReadOnlySpan<char> ParentCommandLine { get; init; }
    public bool HasParentCommandLine { get; init; }
    private WinEventFields? Source { get; init; }
    private bool FromSecurityLog { get; init; }

    /// <summary>The account, built only when a finding needs it (4688 joins domain and name).</summary>
    public string? User => Source is null ? null : FromSecurityLog ? SecurityUser(Source) : Source.Str(EventFields.User);

    /// <summary>The command line when logged, else the image: a finding's evidence.</summary>
    public string? CommandLineOrImage => HasCommandLine ? CommandLine.ToString() : HasImage ? Image.ToString() : null;

    /// <summary>The event IDs <see cref="TryRead"/> reads (Sysmon 1, Security 4688), and where they are logged.</summary>
    public static readonly IReadOnlyList<int> EventIds = [1, 4688];
    public static IReadOnlyList<string> Channels => EventKinds.SysmonOrSecurityChannels;
    public static IReadOnlyList<string> Providers => EventKinds.SysmonOrSecurityProviders;

    public static bool TryRead(WinEvent e, out ProcessStart p)
    {
        if (EventKinds.IsSysmon(e, 1))
        {
            var f = EventFields.Of(e);
            p = new ProcessStart
            {
                HasImage = f.TryGet(EventFields.Image, out var image), Image = image,
                HasCommandLine = f.TryGet(EventFields.CommandLine, out var cmd), CommandLine = cmd,
                ParentImage = f.Get(EventFields.ParentImage),
                HasParentCommandLine = f.TryGet(EventFields.ParentCommandLine, out var parentCmd), ParentCommandLine = parentCmd,
                Source = f,
            };
            return true;
        }
        if (EventKinds.IsSecurity(e, 4688))
        {
            var f = EventFields.Of(e);
            // ECS-only exports carry the 4688 paths as process.executable / process.parent.executable (read as Image / ParentImage).
            var hasImage = f.TryGet(EventFields.NewProcessName, out var image) || f.TryGet(EventFields.Image, out image);
            p = new ProcessStart
            {
                HasImage = hasImage, Image = image,
                HasCommandLine = f.TryGet(EventFields.CommandLine, out var cmd), CommandLine = cmd,
                ParentImage = f.TryGet(EventFields.ParentProcessName, out var parent) ? parent : f.Get(EventFields.ParentImage),
                Source = f, FromSecurityLog = true,
            };
            return true;
        }
        p = default;
        return false;
    }

    /// <summary>4688: the new process's account when logged (TargetUserName), else the creator (SubjectUserName).</summary>
    private static string? SecurityUser(WinEventFields f)
    {
        var target = f.Get(EventFields.TargetUserName);
        if (target.Length > 0 && !target.SequenceEqual("-")) return Join(f.Str(EventFields.TargetDomainName), target.ToString());
        var subject = f.Get(EventFields.SubjectUserName);
        return subject.Length > 0 && !subject.SequenceEqual("-") ? Join(f.Str(EventFields.SubjectDomainName), subject.ToString()) : null;
    }

    /// <summary>"DOMAIN\user" from a Subject/Target pair, or null when no user is named.</summary>
    public static string? SubjectUser(WinEventFields f) =>
        f.Get(EventFields.SubjectUserName) is { Length: > 0 } u ? Join(f.Str(EventFields.SubjectDomainName), u.ToString()) : null;

    public static string Join(string? domain, string user) => domain is { Length: > 0 } && domain != "-" ? domain + "\\" + user : user;
}
