using System.CommandLine;
using Exhunt.Findings;
using Exhunt.Reports;
using Exhunt.Scanning;

namespace Exhunt.Cli;

public static class ScanCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Evidence: a folder (live install, copy, KAPE or Velociraptor collection) or a .zip" };
        var json = new Option<string?>("--json") { Description = "Also write the exhunt.report/1 JSON report to this file ('-' for stdout)" };
        var csv = new Option<string?>("--csv") { Description = "Also write the findings as a CSV timeline (Timesketch-ready) to this file" };
        var min = new Option<string>("--min-severity") { Description = "Hide findings below this level: info, low, medium, high, critical", DefaultValueFactory = _ => "info" };
        var noProgress = new Option<bool>("--no-progress") { Description = "Never show the progress display" };
        var sigma = SigmaOption.Create();
        var command = new Command("scan", "Scan evidence and give the verdict") { path, json, csv, min, noProgress, sigma };
        command.SetAction(parse => Run(parse.GetValue(path)!, parse.GetValue(json), parse.GetValue(min)!, parse.GetValue(noProgress), parse.GetValue(csv),
            sigmaPaths: SigmaOption.Paths(parse.GetValue(sigma))));
        return command;
    }

    public static int Run(string path, string? jsonPath, string minSeverity, bool noProgress, string? csvPath = null, TextWriter? stdout = null,
        IReadOnlyList<string>? sigmaPaths = null)
    {
        if (!FindingEnums.TryParseSeverity(minSeverity, out var min))
            throw new UsageException($"--min-severity must be one of info, low, medium, high, critical (got '{minSeverity}')");
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new Evidence.EvidenceUnreadableException($"'{path}' does not exist.");
        stdout ??= Console.Out;
        var rules = SigmaOption.Rules(sigmaPaths ?? [], Console.Error);
        using var progress = ProgressDisplay.Create(enabled: !noProgress);
        var result = new Scanner(new ScanOptions { Progress = progress, Rules = rules }).Scan(path);
        progress?.Finish();

        if (jsonPath == "-")
        {
            using var s = Console.OpenStandardOutput();
            JsonReport.Write(result, s, min);
        }
        else
        {
            if (jsonPath is not null)
            {
                using var file = new FileStream(jsonPath, FileMode.Create, FileAccess.Write);
                JsonReport.Write(result, file, min);
            }
            if (csvPath is not null)
            {
                using var file = new StreamWriter(csvPath, append: false, new System.Text.UTF8Encoding(false));
                CsvTimeline.Write(result, file, min);
            }
            ConsoleReport.Write(result, stdout, min);
        }
        return Story.VerdictNames.ExitCode(result.Story.Verdict);
    }
}
