using System.CommandLine;
using Exhunt.Detection;
using Exhunt.Findings;

namespace Exhunt.Cli;

public static class RulesCommand
{
    public static Command Create()
    {
        var command = new Command("rules", "List the built-in detections: id, severity, what a hit proves, title, CVEs, ATT&CK technique and tactic");
        command.SetAction(_ =>
        {
            foreach (var r in RuleCatalog.All())
                Console.WriteLine($"{r.Id,-40} {r.Severity.ToWire(),-8} {r.Implies.ToString().ToLowerInvariant(),-10} {r.Title}\n{"",-40} {string.Join(" ", r.Cves.Concat(r.Attack))} ({r.Tactic})");
            return 0;
        });
        return command;
    }
}
