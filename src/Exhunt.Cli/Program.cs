using System.CommandLine;
using Exhunt.Cli;

// `exhunt --version` alone answers before the command tree is built: the same text System.CommandLine prints, at a
// fraction of the start-up (BENCHMARKS.md "Start-up and shipped builds").
if (args is ["--version"])
{
    Console.Out.WriteLine(Exhunt.Reports.ToolVersion.Value);
    return 0;
}

var root = new RootCommand("exhunt: was this Exchange server exploited? Reads Exchange, IIS and Windows event logs and web roots from a folder or zip.");
root.Subcommands.Add(ScanCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(DumpCommand.Create());
root.Subcommands.Add(RulesCommand.Create());
root.Subcommands.Add(ExposureCommand.Create());
root.Subcommands.Add(ProbeCommand.Create());
return CliRunner.Run(root, args);
