using System.CommandLine;
using Exhunt.Detection;
using Exhunt.Findings;

namespace Exhunt.Cli;

public static class RulesCommand
{
    public static Command Create()
    {
        var command = new Command("rules", "List the built-in detections: id, severity, CVEs, ATT&CK and title");
        command.SetAction(_ =>
        {
            foreach (var r in RuleCatalog.All())
                Console.WriteLine($"{r.Id,-44} {r.Severity.ToWire(),-8} {string.Join(",", r.Cves),-30} {string.Join(",", r.Attack),-18} {r.Title}");
            return 0;
        });
        return command;
    }
}
