using System.Globalization;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>LSASS dumped from the command line: comsvcs.dll MiniDump (HAFNIUM) or procdump on lsass.</summary>
internal sealed class LsassDumpCommandRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-lsass-dump-cmdline",
        "LSASS memory dump command (comsvcs MiniDump / procdump)", Severity.High,
        [], ["T1003.001"], "credential-access", Proves.Context, WithExploitation: Proves.Compromise);

    public IReadOnlyList<int>? EventIds => ProcessStart.EventIds;
    public IReadOnlyList<string>? Channels => ProcessStart.Channels;
    public IReadOnlyList<string>? Providers => ProcessStart.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p)) return;
        var cmd = p.CommandLine;
        string? how = null;
        if (cmd.Has("comsvcs") && (cmd.Has("MiniDump") || cmd.Has("#24") || cmd.Has(",24") || cmd.Has(" 24 ")))
            how = "comsvcs.dll MiniDump";
        else if (cmd.Has("lsass") && (Text.IsImage(p.Image, "procdump.exe") || Text.IsImage(p.Image, "procdump64.exe") || cmd.Has("procdump")
                 || (cmd.Has("lsass.exe") && (cmd.Has(" -ma ") || cmd.Has("-accepteula")))))
            how = "procdump of lsass";
        else if (cmd.Has("rdrleakdiag") && (cmd.Has("/fullmemdmp") || cmd.Has("/memdmp")))
            how = "rdrleakdiag memory dump";
        if (how is null) return;
        context.Add(EventFindings.Make(Info, evt, origin, cmd.ToString(), user: p.User, title: $"LSASS dump command ({how})",
            details: new() { ["image"] = p.Image.ToString(), ["parentImage"] = p.ParentImage.ToString() }));
    }
}

/// <summary>
/// Sysmon 10: a process opened lsass with memory-read plus query rights (what MiniDumpWriteDump needs: 0x1010, 0x1410,
/// 0x1438, 0x1fffff ...). Security products and session managers do this too, so they are left out unless the call
/// stack goes through dbghelp/dbgcore (the dump API).
/// </summary>
internal sealed class LsassAccessRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-lsass-access-dump",
        "Process opened LSASS with memory-dump rights", Severity.High,
        [], ["T1003.001"], "credential-access", Proves.Context, WithExploitation: Proves.Compromise);

    private const uint VmRead = 0x10, QueryInformation = 0x400, QueryLimited = 0x1000;
    private readonly string[] _benign = EventIndicators.Get("lsassAccessBenignSources");

    public IReadOnlyList<int>? EventIds { get; } = [10, 4656, 4663];
    public IReadOnlyList<string>? Channels => EventKinds.SysmonOrSecurityChannels;
    public IReadOnlyList<string>? Providers => EventKinds.SysmonOrSecurityProviders;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (EventKinds.IsSysmon(evt, 10)) InspectSysmon(evt, origin, context);
        else if (EventKinds.IsSecurity(evt, 4656) || EventKinds.IsSecurity(evt, 4663)) InspectSecurity(evt, origin, context);
    }

    private void InspectSysmon(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        var f = EventFields.Of(evt);
        if (!Text.IsImage(f.Get(EventFields.TargetImage), "lsass.exe")) return;
        var access = f.Get(EventFields.GrantedAccess);
        if (!TryHex(access, out var mask) || (mask & VmRead) == 0 || (mask & (QueryInformation | QueryLimited)) == 0) return;
        var source = f.Get(EventFields.SourceImage);
        var trace = f.Get(EventFields.CallTrace);
        var viaDumpApi = trace.Has("dbghelp.dll") || trace.Has("dbgcore.dll");
        if (!viaDumpApi && Text.IsImage(source, _benign)) return;
        context.Add(EventFindings.Make(Info, evt, origin, $"{source} -> lsass.exe GrantedAccess {access}" + (viaDumpApi ? " via dbghelp/dbgcore" : ""),
            user: f.Str(EventFields.SourceUser), title: $"{Text.FileName(source)} opened LSASS with dump rights ({access})",
            details: new() { ["sourceImage"] = source.ToString(), ["grantedAccess"] = access.ToString(), ["callTrace"] = Finding.Clip(f.Str(EventFields.CallTrace)) ?? "" }));
    }

    /// <summary>Security 4656 (handle requested) / 4663 (access used) on the lsass process object with memory-read rights.</summary>
    private void InspectSecurity(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        var f = EventFields.Of(evt);
        if (!Text.IsImage(f.Get(EventFields.ObjectName), "lsass.exe")) return;
        var access = f.Get(EventFields.AccessMask);
        if (!TryHex(access, out var mask) || (mask & VmRead) == 0) return;
        var source = f.Get(EventFields.ProcessName);
        if (Text.IsImage(source, _benign)) return;
        context.Add(EventFindings.Make(Info, evt, origin, $"{source} -> lsass.exe AccessMask {access} (Security {evt.EventId})",
            user: ProcessStart.SubjectUser(f), title: $"{Text.FileName(source)} opened LSASS with memory-read rights ({access})",
            details: new() { ["sourceImage"] = source.ToString(), ["accessMask"] = access.ToString() }));
    }

    public static bool TryHex(ReadOnlySpan<char> s, out uint value)
    {
        var t = s.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        return uint.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>Sysmon 11: a file named like an LSASS dump (lsass*.dmp, procdump's lsass_YYMMDD, known tool defaults).</summary>
internal sealed class LsassDumpFileRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-lsass-dump-file",
        "LSASS dump file created", Severity.High,
        [], ["T1003.001"], "credential-access", Proves.Context, WithExploitation: Proves.Compromise);

    private readonly string[] _markers = EventIndicators.Get("lsassDumpFileMarkers");

    public IReadOnlyList<int>? EventIds { get; } = [11];
    public IReadOnlyList<string>? Channels => EventKinds.SysmonChannels;
    public IReadOnlyList<string>? Providers => EventKinds.SysmonProviders;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!EventKinds.IsSysmon(evt, 11)) return;
        var f = EventFields.Of(evt);
        var path = f.Get(EventFields.TargetFilename);
        if (!path.HasAny(_markers)) return;
        var name = Text.FileName(path);
        var dumpLike = name.Contains(".dmp", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".rar", StringComparison.OrdinalIgnoreCase);
        if (!dumpLike) return;
        var image = f.Get(EventFields.Image);
        context.Add(EventFindings.Make(Info, evt, origin, path.ToString(), user: f.Str(EventFields.User),
            title: $"LSASS dump file written by {Text.FileName(image)}",
            details: new() { ["image"] = image.ToString(), ["path"] = path.ToString() }));
    }
}
