using System.CommandLine;
using Exhunt.Demo;

namespace Exhunt.Cli;

public static class DemoCommand
{
    public static Command Create()
    {
        var keep = new Option<string?>("--out") { Description = "Write the demo evidence to this folder and keep it (default: a temp folder, removed afterwards)" };
        var json = new Option<string?>("--json") { Description = "Also write the JSON report to this file" };
        var command = new Command("demo", "Generate a realistic demo evidence set (benign Exchange traffic with one ProxyLogon intrusion) and scan it") { keep, json };
        command.SetAction(parse =>
        {
            var outDir = parse.GetValue(keep);
            var dir = outDir ?? Path.Combine(Path.GetTempPath(), "exhunt-demo-" + Guid.NewGuid().ToString("N")[..8]);
            DemoEvidence.Write(dir, new DemoOptions());
            Console.Error.WriteLine($"demo evidence written to {dir}");
            try
            {
                return ScanCommand.Run(dir, parse.GetValue(json), "info", noProgress: false);
            }
            finally
            {
                if (outDir is null) Directory.Delete(dir, recursive: true);
            }
        });
        return command;
    }
}
