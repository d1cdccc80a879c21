using System.CommandLine;
using System.Text.Json;
using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Findings;

namespace Exhunt.Cli;

public static class RulesCommand
{
    public static Command Create()
    {
        var sigma = SigmaOption.Create();
        var command = new Command("rules", "List the detections a scan runs (built-in, and Sigma rules given with --sigma): id, severity, what a hit proves, title, CVEs, ATT&CK technique and tactic") { sigma };
        command.SetAction(parse =>
        {
            var rules = SigmaOption.Rules(SigmaOption.Paths(parse.GetValue(sigma)), Console.Error);
            foreach (var r in RuleCatalog.Of(rules))
                Console.WriteLine($"{r.Id,-40} {r.Severity.ToWire(),-8} {r.Implies.ToString().ToLowerInvariant(),-10} {Printable(r.Title)}\n{"",-40} {Printable(string.Join(" ", r.Cves.Concat(r.Attack)))} ({Printable(r.Tactic)})");
            return 0;
        });
        command.Subcommands.Add(Lint());
        return command;
    }

    private static Command Lint()
    {
        var path = new Argument<string>("PATH") { Description = "A Sigma rule file or a folder of rules (read recursively)" };
        var json = new Option<bool>("--json") { Description = "Print the account as JSON: {\"loaded\", \"rejected\": [{\"path\", \"id\", \"reason\"}], \"unsupported_logsource\", \"filters\", \"not_rules\", \"correlations\"}" };
        var command = new Command("lint", "Load every Sigma rule under PATH and account for each: loaded, rejected (with the reason) or unsupported log source") { path, json };
        command.SetAction(parse => RunLint(parse.GetValue(path)!, parse.GetValue(json), Console.Out));
        return command;
    }

    public static int RunLint(string path, bool json, TextWriter output)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new Evidence.EvidenceUnreadableException($"'{path}' does not exist.");
        var report = SigmaLoader.Load([path]).Report;
        if (json)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                Reports.SigmaReportSection.WriteLoadAccount(w, report);
                w.WriteNumber("correlations", report.Correlations);
                w.WriteEndObject();
            }
            output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            return 0;
        }
        output.WriteLine($"loaded: {report.Loaded} (correlations: {report.Correlations})");
        output.WriteLine($"unsupported log source: {report.UnsupportedLogSource}");
        output.WriteLine($"filters applied: {report.Filters}");
        output.WriteLine($"not rules (regression-test info, configs): {report.NotRules}");
        output.WriteLine($"rejected: {report.Rejected.Count}");
        foreach (var r in report.Rejected)
            output.WriteLine($"  {Printable(r.Path)} [{Printable(r.Id)}]: {Printable(r.Reason)}");
        return 0;
    }

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
