using System.CommandLine;
using Exhunt.Demo;

namespace Exhunt.Cli;

public static class DemoCommand
{
    public static Command Create()
    {
        var keep = new Option<string?>("--out") { Description = "Write the demo evidence to this folder and keep it (default: a temp folder, removed afterwards)" };
        var formats = ReportOptions.Create();
        var command = new Command("demo", "Generate a realistic demo evidence set (benign Exchange traffic with one ProxyLogon intrusion) and scan it") { keep };
        ReportOptions.AddTo(command, formats);
        command.SetAction(parse =>
        {
            var outDir = parse.GetValue(keep);
            var dir = outDir ?? Path.Combine(Path.GetTempPath(), "exhunt-demo-" + Guid.NewGuid().ToString("N")[..8]);
            DemoEvidence.Write(dir, new DemoOptions());
            Console.Error.WriteLine($"demo evidence written to {dir}");
            try
            {
                return ScanCommand.Run(dir, ReportOptions.Outputs(parse, formats), "info", noProgress: false);
            }
            finally
            {
                if (outDir is null) Directory.Delete(dir, recursive: true);
            }
        });
        return command;
    }
}
