using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// Command lines shaped like HAFNIUM's published tradecraft (hidden .aspx via attrib, VSPerfMon, Opera_browser
/// side-loading, shadow listing to Temp\__output, makecab of dumps, aspnet_client clean-up ...).
/// Each shape is a set of substrings that must all appear (data: hafniumCommandShapes).
/// </summary>
internal sealed class HafniumCommandRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-proc-hafnium-tradecraft",
        "Command matching HAFNIUM post-exploitation tradecraft", Severity.Critical,
        [], ["T1505.003", "T1059.003", "T1564.001"], "execution", Proves.Compromise);

    private readonly string[][] _shapes = EventIndicators.Get("hafniumCommandShapes").Select(s => s.Split('|')).ToArray();

    public IReadOnlyList<int>? EventIds => ProcessStart.EventIds;
    public IReadOnlyList<string>? Channels => ProcessStart.Channels;
    public IReadOnlyList<string>? Providers => ProcessStart.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!ProcessStart.TryRead(evt, out var p)) return;
        var cmd = p.CommandLine;
        foreach (var shape in _shapes)
        {
            if (!AllIn(cmd, shape)) continue;
            context.Add(EventFindings.Make(Info, evt, origin, cmd.ToString(), user: p.User,
                details: new() { ["shape"] = string.Join(" + ", shape), ["image"] = p.Image.ToString(), ["parentImage"] = p.ParentImage.ToString() }));
            return;
        }
    }

    private static bool AllIn(ReadOnlySpan<char> cmd, string[] parts)
    {
        foreach (var part in parts)
            if (!cmd.Contains(part, StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }
}
