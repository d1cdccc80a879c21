using System.Collections.Concurrent;

namespace Exhunt.Demo;

/// <summary>What kind of log a scripted line goes into, so a file that only scripted lines need still gets its header.</summary>
internal enum DemoLogKind { HttpProxy, Iis, EcpServer, RpsCmdlet, OabGenerator }

/// <summary>
/// Lines fixed in advance (the intrusion, scanner probes, an admin's changes), by the KAPE path of the file they
/// belong in. The traffic generator takes a file's lines when it opens that file and merges them in by time;
/// files no generated traffic touches are written at the end from their scripted lines alone.
/// </summary>
internal sealed class DemoScript
{
    private readonly ConcurrentDictionary<string, (DemoLogKind Kind, List<ScriptedLine> Lines)> _byPath = new(StringComparer.Ordinal);
    private int _order;

    public void Add(string kapePath, DemoLogKind kind, DateTime time, string line)
    {
        var entry = _byPath.GetOrAdd(kapePath, _ => (kind, new List<ScriptedLine>()));
        entry.Lines.Add(new ScriptedLine(time, line, _order++));
    }

    /// <summary>Removes and returns the lines for a file (empty when none).</summary>
    public List<ScriptedLine> Take(string kapePath) =>
        _byPath.TryRemove(kapePath, out var entry) ? entry.Lines : new List<ScriptedLine>();

    public IEnumerable<(string Path, DemoLogKind Kind, List<ScriptedLine> Lines)> Remaining() =>
        _byPath.Select(kv => (kv.Key, kv.Value.Kind, kv.Value.Lines)).OrderBy(x => x.Key, StringComparer.Ordinal).ToList();

    /// <summary>All scripted lines, for the manifest and tests.</summary>
    public IEnumerable<(string Path, ScriptedLine Line)> All() => _byPath.SelectMany(kv => kv.Value.Lines.Select(l => (kv.Key, l)));
}

/// <summary>KAPE paths of every log the demo writes.</summary>
internal static class DemoPaths
{
    public const string Exchange = DemoLayout.ExchangeRoot;
    public const string Logging = Exchange + "/Logging";

    public static string HttpProxy(string protocol, DateTime hour) => $"{Logging}/HttpProxy/{protocol}/HttpProxy_{hour:yyyyMMddHH}-1.LOG";
    public static string EcpServer(DateTime day) => $"{Logging}/ECP/Server/ECPServer{day:yyyyMMdd}-1.LOG";
    public static string OabGenerator(DateTime day) => $"{Logging}/OABGeneratorLog/OABGenerator_{day:yyyyMMdd}-1.LOG";
    public static string RpsCmdlet(DateTime day) => $"{Logging}/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_{day:yyyyMMdd}00-1.LOG";
    public static string Iis(int site, DateTime day) => $"C/inetpub/logs/LogFiles/W3SVC{site}/u_ex{day:yyMMdd}.log";

    public const string OwaAuth = Exchange + "/FrontEnd/HttpProxy/owa/auth";
    public const string EcpAuth = Exchange + "/FrontEnd/HttpProxy/ecp/auth";
    public const string WwwRoot = "C/inetpub/wwwroot";

    public static void Header(LogSink s, DemoLogKind kind, DateTime at)
    {
        switch (kind)
        {
            case DemoLogKind.HttpProxy: HttpProxyFormat.Header(s, at); break;
            case DemoLogKind.Iis: IisFormat.Header(s, at); break;
            case DemoLogKind.EcpServer: ExchangeLogFormats.Header(s, "ECP Server Log", "15.0.0.0", at, ExchangeLogFormats.EcpFields); break;
            case DemoLogKind.RpsCmdlet: ExchangeLogFormats.Header(s, "Rps Cmdlet Logs", DemoOrg.Version, at, ExchangeLogFormats.RpsCmdletFields); break;
            case DemoLogKind.OabGenerator: ExchangeLogFormats.Header(s, "OABGenerator Log", DemoOrg.Version, at, ExchangeLogFormats.OabFields); break;
        }
    }
}
