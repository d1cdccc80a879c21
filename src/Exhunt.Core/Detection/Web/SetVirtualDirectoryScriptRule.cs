using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// CVE-2021-27065 first step: <c>Set-*VirtualDirectory</c> with markup or script in a URL property (the China Chopper
/// one-liner in the OAB ExternalUrl). Microsoft: these properties "should never contain script" and InternalUrl /
/// ExternalUrl "should only be valid Uris". Read from the ECP Server/Activity log's <c>S:CMD</c> and from Rps Cmdlet
/// logs (Cmdlet + Parameters). Test-ProxyLogon's regex wants a <c>&lt;tag&gt;...&lt;/tag&gt;</c> between "Url" and
/// the end; any '&lt;' or '&gt;' or script word in a Url value is taken here, which also covers truncated values.
/// </summary>
internal sealed class SetVirtualDirectoryScriptRule : ILogRule
{
    public static readonly RuleInfo Info = new("exch-27065-set-vdir-script",
        "ProxyLogon: script planted in a virtual directory URL property (CVE-2021-27065)",
        Severity.Critical, ["CVE-2021-27065"], ["T1505.003", "T1190"], "persistence", Proves.Compromise);

    private static readonly string[] ScriptWords = ["script", "runat", "Page_Load", "eval(", "Request["];

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.EcpServer or ArtifactKind.EcpActivity or ArtifactKind.RpsCmdlet;

    /// <summary>ECP: the bag must hold "VirtualDirectory"; Rps: the cmdlet is Set-*VirtualDirectory.</summary>
    public IReadOnlyList<string>? LineNeedles { get; } = ["VirtualDirectory"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        if (record.Kind == ArtifactKind.RpsCmdlet) InspectRps(record, context);
        else InspectEcp(record, context);
    }

    private static void InspectEcp(LogRecord record, ScanContext context)
    {
        var data = record[Field.EventData];
        if (data.IsEmpty) data = record.Raw;
        if (!WebText.Has(data, "VirtualDirectory") || !WebText.Has(data, "Url")) return;
        var command = EcpBagReader.Command(data);
        if (command is null) return;
        var call = new CmdletParamReader(command);
        if (!WebText.Like(call.Cmdlet, "Set-*VirtualDirectory")) return;
        while (call.MoveNext())
        {
            if (!WebText.Has(call.Name, "Url") || !IsMarkup(call.RawValue)) continue;
            var evidence = $"{call.Cmdlet} {call.Name}={Unquoted(call.RawValue, call.Quoted)}";
            Report(record, context, evidence, call.Cmdlet.ToString(), call.Name.ToString());
            return;
        }
    }

    private static void InspectRps(LogRecord record, ScanContext context)
    {
        var cmdlet = record[Field.Cmdlet];
        if (cmdlet.Length < 20 || !WebText.Like(cmdlet, "Set-*VirtualDirectory")) return;
        var parameters = record[Field.Parameters];
        if (!WebText.Has(parameters, "Url") || !IsMarkup(parameters)) return;
        Report(record, context, string.Concat(cmdlet, " ", parameters), cmdlet.ToString(), "Url");
    }

    private static void Report(LogRecord record, ScanContext context, string evidence, string cmdlet, string property)
    {
        var details = new Dictionary<string, string> { ["cmdlet"] = cmdlet, ["property"] = property };
        var server = record[Field.ServerHost];
        if (!server.IsEmpty) details["server"] = server.ToString();
        context.Add(WebHit.Make(record, Info, CmdletOutcome.Of(record), evidence, details: details));
        // Set-VDir itself writes no file; a FilePathName in the same line (some reset flows log it) names the target.
        ResetPathClaim.Claim(record, context, Info.Id);
    }

    internal static bool IsMarkup(ReadOnlySpan<char> value)
    {
        if (value.IndexOfAny('<', '>') >= 0) return true;
        foreach (var w in ScriptWords) if (WebText.Has(value, w)) return true;
        return false;
    }

    private static string Unquoted(ReadOnlySpan<char> raw, bool quoted)
    {
        if (!quoted) return raw.ToString();
        var buffer = new char[raw.Length];
        return new string(buffer, 0, EcpBagReader.Unquote(raw, buffer));
    }
}
