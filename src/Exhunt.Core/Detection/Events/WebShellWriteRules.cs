using System.Globalization;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>A page file written into a folder IIS serves for Exchange, from Sysmon 11, Security 5145 (share) or 4663.</summary>
internal readonly record struct PageWrite(string Path, string? Writer, string? User, string? ClientIp, string Via);

internal static class PageWrites
{
    private static readonly string[] Folders = EventIndicators.Get("webShellFolders");
    private static readonly string[] PageExt = EventIndicators.Get("pageExtensions");
    private static readonly string[] Installers = EventIndicators.Get("installerImages");
    private static readonly string[] StrongWriters = EventIndicators.Get("shellWriters");
    private static readonly string[] ExportPageExt = [".aspx", ".asp"];
    private const uint WriteData = 0x2, AppendData = 0x4;

    /// <summary>The event IDs <see cref="TryRead"/> reads (Sysmon 11, Security 5145 and 4663), and where they are logged.</summary>
    public static readonly IReadOnlyList<int> EventIds = [11, 5145, 4663];
    public static IReadOnlyList<string> Channels => EventKinds.SysmonOrSecurityChannels;
    public static IReadOnlyList<string> Providers => EventKinds.SysmonOrSecurityProviders;

    public static bool TryRead(WinEvent e, out PageWrite w)
    {
        w = default;
        if (EventKinds.IsSysmon(e, 11))
        {
            var f = EventFields.Of(e);
            var path = f.Get(EventFields.TargetFilename);
            var image = f.Get(EventFields.Image);
            if (!IsPage(path) || Text.IsImage(image, Installers)) return false;
            if (!path.HasAny(Folders) && !(Text.IsImage(image, "MSExchangeMailboxReplication.exe") && path.EndsWithAny(ExportPageExt))) return false;
            w = new PageWrite(path.ToString(), f.Str(EventFields.Image), f.Str(EventFields.User), null, "Sysmon 11 file create");
            return true;
        }
        if (EventKinds.IsSecurity(e, 5145))
        {
            var f = EventFields.Of(e);
            var rel = f.Get(EventFields.RelativeTargetName);
            if (!IsPage(rel) || !IsWrite(f.Get(EventFields.AccessMask))) return false;
            var local = f.Get(EventFields.ShareLocalPath).ToString().Replace(@"\??\", "");
            var path = local.Length > 0 ? local.TrimEnd('\\') + "\\" + rel.ToString() : rel.ToString();
            if (!path.HasAny(Folders) && !("\\" + path).HasAny(Folders)) return false;
            w = new PageWrite(path, "System", UserOf(f), f.Str(EventFields.IpAddress), $"Security 5145 write over share {f.Str(EventFields.ShareName)}");
            return true;
        }
        if (EventKinds.IsSecurity(e, 4663))
        {
            var f = EventFields.Of(e);
            var path = f.Get(EventFields.ObjectName);
            var image = f.Get(EventFields.ProcessName);
            if (!IsPage(path) || !IsWrite(f.Get(EventFields.AccessMask)) || !Text.IsImage(image, StrongWriters) || !path.HasAny(Folders)) return false;
            w = new PageWrite(path.ToString(), image.ToString(), UserOf(f), null, "Security 4663 write access");
            return true;
        }
        return false;
    }

    public static bool IsStrongWriter(string? image) => Text.IsImage(image, StrongWriters);

    private static bool IsPage(ReadOnlySpan<char> path) => path.EndsWithAny(PageExt);

    private static bool IsWrite(ReadOnlySpan<char> mask) => LsassAccessRule.TryHex(mask, out var m) && (m & (WriteData | AppendData)) != 0;

    private static string? UserOf(WinEventFields f) =>
        f.Get(EventFields.SubjectUserName) is { Length: > 0 } u && !u.SequenceEqual("-") ? ProcessStart.Join(f.Str(EventFields.SubjectDomainName), u.ToString()) : null;

    public static void Claim(ScanContext context, PageWrite w, WinEvent e, EventOrigin origin, string ruleId) =>
        context.FileWrites.Enqueue(new FileWriteClaim(w.Path, origin.Artifact, null, origin.Record, e.TimeCreated, EventFindings.Clean(w.ClientIp), ruleId,
            $"{w.Via} by {(w.Writer is null ? "?" : Text.FileName(w.Writer).ToString())}"));
}

/// <summary>
/// A page written into owa\auth, ecp\auth, aspnet_client, wwwroot ... by the IIS/UM workers, the mailbox replication
/// service, or over an admin share (System): how ProxyLogon/ProxyShell web shells land.
/// </summary>
internal sealed class WebShellWriteRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-file-webshell-write",
        "Web page written into an Exchange web folder by a worker process or over a share (web shell)", Severity.Critical,
        [], ["T1505.003"], "persistence", Proves.Compromise);

    /// <summary>A w3wp that ran as another web app's pool identity (IIS APPPOOL\DefaultAppPool) wrote it: not Exchange's.</summary>
    public static readonly WebShellRuleInfos Weights = new(Info,
        "Web page written into a web folder by a non-Exchange app pool's IIS worker (web shell on another web app)",
        "Web page written into a web folder by an IIS worker");

    public IReadOnlyList<int>? EventIds => PageWrites.EventIds;
    public IReadOnlyList<string>? Channels => PageWrites.Channels;
    public IReadOnlyList<string>? Providers => PageWrites.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!PageWrites.TryRead(evt, out var w) || !PageWrites.IsStrongWriter(w.Writer)) return;
        // Exchange's pools run as LocalSystem, so only a named pool identity can tell another web app's worker apart.
        var pool = Text.IsImage(w.Writer, "w3wp.exe") ? AppPools.Of(null, w.User) : new AppPool(AppPoolKind.Unknown, null);
        var rule = pool.Kind == AppPoolKind.Other ? Weights.OtherApp : Info;
        PageWrites.Claim(context, w, evt, origin, rule.Id);
        var details = new Dictionary<string, string> { ["path"] = w.Path, ["writer"] = w.Writer ?? "", ["via"] = w.Via };
        if (pool.Name is not null) details["appPool"] = pool.Name;
        context.Add(EventFindings.Make(rule, evt, origin, w.Path, user: w.User, clientIp: w.ClientIp,
            title: $"Page {Text.FileName(w.Path)} written into a web folder by {Text.FileName(w.Writer)}", details: details));
    }
}

/// <summary>A page written into those folders by anything else (not an installer): worth a look.</summary>
internal sealed class PageWriteOtherRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-file-page-write-other",
        "Web page written into an Exchange web folder", Severity.Medium, [], ["T1505.003"], "persistence", Proves.Weak);

    public IReadOnlyList<int>? EventIds => PageWrites.EventIds;
    public IReadOnlyList<string>? Channels => PageWrites.Channels;
    public IReadOnlyList<string>? Providers => PageWrites.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!PageWrites.TryRead(evt, out var w) || PageWrites.IsStrongWriter(w.Writer)) return;
        PageWrites.Claim(context, w, evt, origin, Info.Id);
        context.Add(EventFindings.Make(Info, evt, origin, w.Path, user: w.User, clientIp: w.ClientIp,
            title: $"Page {Text.FileName(w.Path)} written into a web folder by {Text.FileName(w.Writer)}",
            details: new() { ["path"] = w.Path, ["writer"] = w.Writer ?? "", ["via"] = w.Via }));
    }
}

/// <summary>CVE-2021-26858: UMWorkerProcess writing any file but its own cache/log/config files (arbitrary file write).</summary>
internal sealed class UmWorkerFileWriteRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-file-umworker-write",
        "Unified Messaging worker wrote a file (CVE-2021-26858 arbitrary file write)", Severity.High,
        ["CVE-2021-26858"], ["T1190", "T1505.003"], "persistence", Proves.Attempt);

    private readonly string[] _names = EventIndicators.Get("umWorkerBenignFileNames");
    private readonly string[] _ext = EventIndicators.Get("umWorkerBenignExtensions");

    public IReadOnlyList<int>? EventIds { get; } = [11];
    public IReadOnlyList<string>? Channels => EventKinds.SysmonChannels;
    public IReadOnlyList<string>? Providers => EventKinds.SysmonProviders;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!EventKinds.IsSysmon(evt, 11)) return;
        var f = EventFields.Of(evt);
        if (!Text.IsImage(f.Get(EventFields.Image), "UMWorkerProcess.exe")) return;
        if (!f.TryGet(EventFields.TargetFilename, out var target) || Text.IsImage(target, _names) || target.EndsWithAny(_ext)) return;
        var path = target.ToString();
        context.FileWrites.Enqueue(new FileWriteClaim(path, origin.Artifact, null, origin.Record, evt.TimeCreated, null, Info.Id, "Sysmon 11 file create by UMWorkerProcess.exe"));
        context.Add(EventFindings.Make(Info, evt, origin, path, user: f.Str(EventFields.User), details: new() { ["path"] = path }));
    }
}
