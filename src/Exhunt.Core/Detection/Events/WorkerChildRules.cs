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

    public IReadOnlyList<int>? EventIds => ProcessStart.EventIds;
    public IReadOnlyList<string>? Channels => ProcessStart.Channels;
    public IReadOnlyList<string>? Providers => ProcessStart.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p) || !Text.IsImage(p.ParentImage, _workers) || Text.IsImage(p.Image, _benign)) return;
        context.Add(EventFindings.Make(Info, evt, origin, p.CommandLineOrImage, user: p.User,
            title: $"{Text.FileName(p.ParentImage)} started {Text.FileName(p.Image)}",
            details: new() { ["image"] = p.Image.ToString(), ["parentImage"] = p.ParentImage.ToString() }));
    }
}

/// <summary>
/// The IIS worker starting a shell or recon tool: a web shell in use. Compromise of Exchange only when the worker
/// is an Exchange app pool's (see <see cref="WebShellRuleInfos"/> for the other two weights).
/// </summary>
internal sealed class W3wpShellRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-proc-w3wp-shell",
        "Exchange app pool's IIS worker started a shell or recon tool (web shell in use)", Severity.Critical,
        [], ["T1505.003", "T1059"], "execution", Proves.Compromise);

    public static readonly WebShellRuleInfos Weights = new(Info,
        "IIS worker of a non-Exchange app pool started a shell or recon tool (web shell on another web app)",
        "IIS worker started a shell or recon tool (app pool not logged)");

    private readonly string[] _iis = EventIndicators.Get("iisWorkers");
    private readonly string[] _children = EventIndicators.Get("workerChildren");

    public IReadOnlyList<int>? EventIds => ProcessStart.EventIds;
    public IReadOnlyList<string>? Channels => ProcessStart.Channels;
    public IReadOnlyList<string>? Providers => ProcessStart.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p) || !Text.IsImage(p.ParentImage, _iis) || !Text.IsImage(p.Image, _children)) return;
        var pool = WorkerLabel.Pool(p);
        context.Add(EventFindings.Make(Weights.For(pool.Kind), evt, origin, p.CommandLineOrImage, user: p.User,
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

    public IReadOnlyList<int>? EventIds => ProcessStart.EventIds;
    public IReadOnlyList<string>? Channels => ProcessStart.Channels;
    public IReadOnlyList<string>? Providers => ProcessStart.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p) || !Text.IsImage(p.ParentImage, _iis) || !p.HasImage
            || Text.IsImage(p.Image, _children) || Text.IsImage(p.Image, _benign)) return;
        context.Add(EventFindings.Make(Info, evt, origin, p.CommandLineOrImage, user: p.User,
            title: $"{WorkerLabel.Of(p)} started {Text.FileName(p.Image)}", details: WorkerLabel.Details(p)));
    }
}

internal static class WorkerLabel
{
    /// <summary>"w3wp.exe (MSExchangeOWAAppPool)" when the pool is known, else the image name.</summary>
    public static string Of(ProcessStart p)
    {
        var pool = Pool(p).Name;
        return pool is null ? Text.FileName(p.ParentImage).ToString() : $"{Text.FileName(p.ParentImage)} ({pool})";
    }

    /// <summary>The pool of the parent w3wp: its command line, else the pool identity the child inherited.</summary>
    public static AppPool Pool(ProcessStart p) => AppPools.Of(p.HasParentCommandLine ? p.ParentCommandLine.ToString() : null, p.User);

    public static Dictionary<string, string> Details(ProcessStart p) => Details(p, Pool(p));

    public static Dictionary<string, string> Details(ProcessStart p, AppPool pool)
    {
        var d = new Dictionary<string, string> { ["image"] = p.Image.ToString(), ["parentImage"] = p.ParentImage.ToString() };
        d["appPool"] = pool.Name ?? "unknown";
        d["appPoolKind"] = pool.Kind switch { AppPoolKind.Exchange => "exchange", AppPoolKind.Other => "non-exchange", _ => "unknown" };
        return d;
    }
}

/// <summary>China Chopper's command wrapper (cd /d "dir"&amp;cmd&amp;echo [S]&amp;cd&amp;echo [E]) run by or under w3wp.</summary>
internal sealed class ChopperCommandRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-proc-chopper",
        "China Chopper web-shell command under an Exchange app pool", Severity.Critical, [], ["T1505.003", "T1059.003"], "execution", Proves.Compromise);

    public static readonly WebShellRuleInfos Weights = new(Info,
        "China Chopper web-shell command under a non-Exchange app pool (web shell on another web app)",
        "China Chopper web-shell command (app pool not logged)");

    private readonly string[] _iis = EventIndicators.Get("iisWorkers");
    private readonly string[] _markers = EventIndicators.Get("chopperMarkers");

    public IReadOnlyList<int>? EventIds => ProcessStart.EventIds;
    public IReadOnlyList<string>? Channels => ProcessStart.Channels;
    public IReadOnlyList<string>? Providers => ProcessStart.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p)) return;
        var workerIsParent = Text.IsImage(p.ParentImage, _iis);
        if (!workerIsParent && !Text.IsImage(p.Image, _iis)) return;
        if (p.CommandLine.FirstOf(_markers) is not { } marker) return;
        var pool = workerIsParent ? WorkerLabel.Pool(p) : AppPools.Of(p.CommandLine.ToString(), p.User);
        var details = WorkerLabel.Details(p, pool);
        details["marker"] = marker;
        context.Add(EventFindings.Make(Weights.For(pool.Kind), evt, origin, p.CommandLine.ToString(), user: p.User, details: details));
    }
}
