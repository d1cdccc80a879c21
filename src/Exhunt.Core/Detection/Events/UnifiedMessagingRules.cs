using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// CVE-2021-26857 as Test-ProxyLogon checks it: Application log, source "MSExchange Unified Messaging", Level 2
/// (Error), text containing System.InvalidCastException. No event ID filter (Microsoft gives none).
/// </summary>
internal sealed class UmInvalidCastRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-um-26857-invalidcast",
        "Unified Messaging error with InvalidCastException (CVE-2021-26857 deserialization)", Severity.High,
        ["CVE-2021-26857"], ["T1190"], "initial-access", Proves.Attempt);

    private const string Provider = "MSExchange Unified Messaging";

    public IReadOnlyList<string>? Providers { get; } = [Provider];

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (evt.Level != 2 || !evt.Provider.Eq(Provider) || !EventKinds.IsApplication(evt)) return;
        if (!evt.AnyDataContains("System.InvalidCastException")) return;
        context.Add(EventFindings.Make(Info, evt, origin, UmText.Excerpt(evt, "System.InvalidCastException")));
    }
}

/// <summary>
/// Microsoft Sentinel's "HAFNIUM Suspicious UM Service Error": an MSExchange* error whose description is a Watson
/// report naming umworkerprocess and the TextFormattingRunProperties gadget (the deserialization payload).
/// </summary>
internal sealed class UmGadgetWatsonRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-um-26857-gadget-watson",
        "UM worker crash report naming the TextFormattingRunProperties gadget (CVE-2021-26857)", Severity.High,
        ["CVE-2021-26857"], ["T1190"], "initial-access", Proves.Attempt);

    public IReadOnlyList<string>? Channels => EventKinds.ApplicationChannels;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!UmText.IsExchangeError(evt) || evt.AnyDataContains("System.OutOfMemoryException")) return;
        if (!evt.AnyDataContains("TextFormattingRunProperties") || !evt.AnyDataContains("umworkerprocess")) return;
        if (!UmText.AnyStartsWith(evt, "Watson report") && !evt.Provider.Eq("MSExchange Common") && !evt.AnyDataContains("Watson")) return;
        context.Add(EventFindings.Make(Info, evt, origin, UmText.Excerpt(evt, "TextFormattingRunProperties")));
    }
}

/// <summary>The other two Sentinel branches: UM worker unhandled exceptions and UM service errors. Crashes, not proof.</summary>
internal sealed class UmWorkerErrorRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-um-worker-error",
        "Unified Messaging worker/service error (CVE-2021-26857 exploitation can cause these)", Severity.Medium,
        ["CVE-2021-26857"], ["T1190"], "initial-access", Proves.Weak);

    public IReadOnlyList<string>? Channels => EventKinds.ApplicationChannels;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!UmText.IsExchangeError(evt)) return;
        var start = UmText.AnyStartsWith(evt, "An unhandled exception occurred in a UM worker process") ? "An unhandled exception occurred in a UM worker process"
            : UmText.AnyStartsWith(evt, "The Microsoft Exchange Unified Messaging service") ? "The Microsoft Exchange Unified Messaging service"
            : null;
        if (start is null || evt.AnyDataContains("System.OutOfMemoryException")) return;
        context.Add(EventFindings.Make(Info, evt, origin, UmText.Excerpt(evt, start)));
    }
}

internal static class UmText
{
    public static bool IsExchangeError(WinEvent e) =>
        e.Level == 2 && e.Provider.StartsWith("MSExchange", StringComparison.OrdinalIgnoreCase) && EventKinds.IsApplication(e);

    public static bool AnyStartsWith(WinEvent e, string prefix)
    {
        foreach (var (_, v) in e.Data)
            if (v.AsSpan().TrimStart().StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The data value holding <paramref name="marker"/>, from a little before it (evidence excerpt).</summary>
    public static string? Excerpt(WinEvent e, string marker)
    {
        foreach (var (_, v) in e.Data)
        {
            var i = v.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (i < 0) continue;
            var from = Math.Max(0, i - 200);
            return v[from..Math.Min(v.Length, from + Finding.MaxEvidenceChars)];
        }
        return null;
    }
}
