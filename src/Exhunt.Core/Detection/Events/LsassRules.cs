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

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p) || p.CommandLine is not { } cmd) return;
        string? how = null;
        if (cmd.Has("comsvcs") && (cmd.Has("MiniDump") || cmd.Has("#24") || cmd.Has(",24") || cmd.Has(" 24 ")))
            how = "comsvcs.dll MiniDump";
        else if (cmd.Has("lsass") && (Text.IsImage(p.Image, "procdump.exe") || Text.IsImage(p.Image, "procdump64.exe") || cmd.Has("procdump")
                 || (cmd.Has("lsass.exe") && (cmd.Has(" -ma ") || cmd.Has("-accepteula")))))
            how = "procdump of lsass";
        else if (cmd.Has("rdrleakdiag") && (cmd.Has("/fullmemdmp") || cmd.Has("/memdmp")))
            how = "rdrleakdiag memory dump";
        if (how is null) return;
        context.Add(EventFindings.Make(Info, evt, origin, cmd, user: p.User, title: $"LSASS dump command ({how})",
            details: new() { ["image"] = p.Image ?? "", ["parentImage"] = p.ParentImage ?? "" }));
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

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (EventKinds.IsSysmon(evt, 10)) InspectSysmon(evt, origin, context);
        else if (EventKinds.IsSecurity(evt, 4656) || EventKinds.IsSecurity(evt, 4663)) InspectSecurity(evt, origin, context);
    }

    private void InspectSysmon(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!Text.IsImage(evt.Get("TargetImage"), "lsass.exe")) return;
        var access = evt.Get("GrantedAccess");
        if (!TryHex(access, out var mask) || (mask & VmRead) == 0 || (mask & (QueryInformation | QueryLimited)) == 0) return;
        var source = evt.Get("SourceImage");
        var trace = evt.Get("CallTrace");
        var viaDumpApi = trace.Has("dbghelp.dll") || trace.Has("dbgcore.dll");
        if (!viaDumpApi && Text.IsImage(source, _benign)) return;
        context.Add(EventFindings.Make(Info, evt, origin, $"{source} -> lsass.exe GrantedAccess {access}" + (viaDumpApi ? " via dbghelp/dbgcore" : ""),
            user: evt.Get("SourceUser"), title: $"{Text.FileName(source)} opened LSASS with dump rights ({access})",
            details: new() { ["sourceImage"] = source ?? "", ["grantedAccess"] = access!, ["callTrace"] = Finding.Clip(trace) ?? "" }));
    }

    /// <summary>Security 4656 (handle requested) / 4663 (access used) on the lsass process object with memory-read rights.</summary>
    private void InspectSecurity(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!Text.IsImage(evt.Get("ObjectName"), "lsass.exe")) return;
        var access = evt.Get("AccessMask");
        if (!TryHex(access, out var mask) || (mask & VmRead) == 0) return;
        var source = evt.Get("ProcessName");
        if (Text.IsImage(source, _benign)) return;
        var user = evt.Get("SubjectUserName") is { Length: > 0 } u ? ProcessStart.Join(evt.Get("SubjectDomainName"), u) : null;
        context.Add(EventFindings.Make(Info, evt, origin, $"{source} -> lsass.exe AccessMask {access} (Security {evt.EventId})",
            user: user, title: $"{Text.FileName(source)} opened LSASS with memory-read rights ({access})",
            details: new() { ["sourceImage"] = source ?? "", ["accessMask"] = access! }));
    }

    private static bool TryHex(string? s, out uint value)
    {
        value = 0;
        if (s is null) return false;
        var t = s.AsSpan().Trim();
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

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!EventKinds.IsSysmon(evt, 11)) return;
        var path = evt.Get("TargetFilename");
        if (path is null || !path.HasAny(_markers)) return;
        var name = Text.FileName(path);
        var dumpLike = name.Contains(".dmp", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".rar", StringComparison.OrdinalIgnoreCase);
        if (!dumpLike) return;
        context.Add(EventFindings.Make(Info, evt, origin, path, user: evt.Get("User"),
            title: $"LSASS dump file written by {Text.FileName(evt.Get("Image"))}",
            details: new() { ["image"] = evt.Get("Image") ?? "", ["path"] = path }));
    }
}
