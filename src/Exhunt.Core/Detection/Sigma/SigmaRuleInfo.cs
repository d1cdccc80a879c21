using System.Text.RegularExpressions;
using Exhunt.Data;
using Exhunt.Findings;
using YamlDotNet.RepresentationModel;

namespace Exhunt.Detection.Sigma;

/// <summary>
/// A Sigma rule as a detection: id "sigma:&lt;id&gt;", level → severity, attack.* tags → techniques and tactic,
/// cve.* tags → CVEs. What a hit proves (Data/sigma/verdict.yml): high and critical alone are Weak (suspicious);
/// medium, low and informational are Context (reported, never raising the verdict: SigmaHQ's medium rules are many
/// and fire on ordinary admin work); critical/high rules about Exchange exploitation raise to Attempt, and about web
/// shells to Compromise, only together with built-in exploitation evidence (<see cref="RuleInfo.WithExploitation"/>).
/// </summary>
internal static class SigmaRuleInfo
{
    private static readonly Lazy<(string[] Exploitation, string[] WebShell)> Markers = new(Load);

    public static RuleInfo For(SigmaRule rule)
    {
        var severity = rule.Level switch
        {
            "critical" => Severity.Critical,
            "high" => Severity.High,
            "medium" => Severity.Medium,
            "low" => Severity.Low,
            _ => Severity.Info,
        };
        var techniques = new List<string>();
        var cves = new List<string>();
        string? tactic = null;
        foreach (var tag in rule.Tags)
        {
            var t = tag.Trim().ToLowerInvariant();
            if (Regex.IsMatch(t, @"^attack\.t\d{4}(\.\d{3})?$")) techniques.Add(t[7..].ToUpperInvariant());
            else if (t.StartsWith("attack.", StringComparison.Ordinal) && !Regex.IsMatch(t, @"^attack\.[gs]\d{4}$")) tactic ??= t[7..].Replace('_', '-');
            else if (Regex.IsMatch(t, @"^cve\.\d{4}-\d+$")) cves.Add("CVE-" + t[4..]);
        }
        var implies = severity >= Severity.High ? Proves.Weak : Proves.Context;
        Proves? with = null;
        if (severity >= Severity.High)
        {
            var text = string.Join(" ", [rule.Title, rule.Path.Replace('\\', '/'), .. rule.Tags]).ToLowerInvariant();
            var (exploitation, webShell) = Markers.Value;
            if (webShell.Any(text.Contains)) with = Proves.Compromise;
            else if (exploitation.Any(text.Contains)) with = Proves.Attempt;
        }
        var id = rule.Id.Length > 0 ? rule.Id : System.IO.Path.GetFileNameWithoutExtension(rule.Path);
        return new RuleInfo("sigma:" + id, rule.Title.Length > 0 ? rule.Title : id, severity, cves.Distinct().ToArray(),
            techniques.Distinct().ToArray(), tactic ?? "", implies, with);
    }

    private static (string[], string[]) Load()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(DataFiles.Open("sigma/verdict.yml"))) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        string[] Read(string key) => ((YamlSequenceNode)root[key]).Children.Select(c => c.ToString().ToLowerInvariant()).ToArray();
        return (Read("exploitation"), Read("webshell"));
    }
}
