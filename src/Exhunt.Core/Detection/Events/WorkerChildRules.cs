using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>UMWorkerProcess/UMService starting anything but error reporting: CVE-2021-26857 code execution.</summary>
internal sealed class UmWorkerChildRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-proc-umworker-child",
        "Unified Messaging worker started a process (CVE-2021-26857 code execution)", Severity.Critical,
        ["CVE-2021-26857"], ["T1190", "T1059"], "execution", Proves.Compromise);

    private readonly string[] _workers = EventIndicators.Get("exchangeWorkers");
    private readonly string[] _benign = EventIndicators.Get("umWorkerBenignChildren");

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p) || !Text.IsImage(p.ParentImage, _workers) || Text.IsImage(p.Image, _benign)) return;
        context.Add(EventFindings.Make(Info, evt, origin, p.CommandLine ?? p.Image, user: p.User,
            title: $"{Text.FileName(p.ParentImage)} started {Text.FileName(p.Image)}",
            details: new() { ["image"] = p.Image ?? "", ["parentImage"] = p.ParentImage ?? "" }));
    }
}

/// <summary>The IIS worker (Exchange app pools run in w3wp) starting a shell or recon tool: a web shell in use.</summary>
internal sealed class W3wpShellRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-proc-w3wp-shell",
        "IIS worker process started a shell or recon tool (web shell in use)", Severity.Critical,
        [], ["T1505.003", "T1059"], "execution", Proves.Compromise);

    private readonly string[] _iis = EventIndicators.Get("iisWorkers");
    private readonly string[] _children = EventIndicators.Get("workerChildren");

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p) || !Text.IsImage(p.ParentImage, _iis) || !Text.IsImage(p.Image, _children)) return;
        context.Add(EventFindings.Make(Info, evt, origin, p.CommandLine ?? p.Image, user: p.User,
            title: $"{WorkerLabel.Of(p)} started {Text.FileName(p.Image)}",
            details: WorkerLabel.Details(p)));
    }
}

/// <summary>w3wp starting something that is neither a known shell/tool nor ASP.NET's own compilers and error reporting.</summary>
internal sealed class W3wpUnusualChildRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-proc-w3wp-unusual-child",
        "IIS worker process started an unusual program", Severity.Medium, [], ["T1505.003"], "execution", Proves.Weak);

    private readonly string[] _iis = EventIndicators.Get("iisWorkers");
    private readonly string[] _children = EventIndicators.Get("workerChildren");
    private readonly string[] _benign = EventIndicators.Get("benignWorkerChildren");

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p) || !Text.IsImage(p.ParentImage, _iis) || p.Image is null
            || Text.IsImage(p.Image, _children) || Text.IsImage(p.Image, _benign)) return;
        context.Add(EventFindings.Make(Info, evt, origin, p.CommandLine ?? p.Image, user: p.User,
            title: $"{WorkerLabel.Of(p)} started {Text.FileName(p.Image)}", details: WorkerLabel.Details(p)));
    }
}

internal static class WorkerLabel
{
    /// <summary>"w3wp.exe (MSExchangeOWAAppPool)" when Sysmon logged the parent command line, else the image name.</summary>
    public static string Of(ProcessStart p)
    {
        var pool = AppPool(p);
        return pool is null ? Text.FileName(p.ParentImage).ToString() : $"{Text.FileName(p.ParentImage)} ({pool})";
    }

    public static string? AppPool(ProcessStart p) =>
        p.ParentCommandLine is { } cl ? CmdletCall.ParamValue(cl, "ap") : null;

    public static Dictionary<string, string> Details(ProcessStart p)
    {
        var d = new Dictionary<string, string> { ["image"] = p.Image ?? "", ["parentImage"] = p.ParentImage ?? "" };
        if (AppPool(p) is { } pool) d["appPool"] = pool;
        return d;
    }
}

/// <summary>China Chopper's command wrapper (cd /d "dir"&amp;cmd&amp;echo [S]&amp;cd&amp;echo [E]) run by or under w3wp.</summary>
internal sealed class ChopperCommandRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-proc-chopper",
        "China Chopper web-shell command", Severity.Critical, [], ["T1505.003", "T1059.003"], "execution", Proves.Compromise);

    private readonly string[] _iis = EventIndicators.Get("iisWorkers");
    private readonly string[] _markers = EventIndicators.Get("chopperMarkers");

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p) || !(Text.IsImage(p.ParentImage, _iis) || Text.IsImage(p.Image, _iis))) return;
        if (p.CommandLine.FirstOf(_markers) is not { } marker) return;
        context.Add(EventFindings.Make(Info, evt, origin, p.CommandLine, user: p.User,
            details: new() { ["marker"] = marker, ["parentImage"] = p.ParentImage ?? "" }));
    }
}
