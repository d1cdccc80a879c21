using System.CommandLine;
using Exhunt.Findings;
using Exhunt.Reports;
using Exhunt.Scanning;

namespace Exhunt.Cli;

/// <summary>
/// <c>exhunt scan</c>. One option per registered report format (<see cref="ReportWriters.All"/>: <c>--json FILE</c>,
/// <c>--csv FILE</c> ...), any combination, each written; at most one may be '-' (stdout), and then the console
/// report goes to stderr so stdout stays machine-readable. Output files are created before the scan (a path that
/// cannot be created stops at once with exit 73, nothing scanned); a write that fails after the scan is reported on
/// stderr and the verdict and its exit code still stand.
/// </summary>
public static class ScanCommand
{
    public const string ExitCodeHelp =
        "Exit codes: 0 clean, 1 attempted or suspicious, 2 compromised, 3 inconclusive (nothing read could show exploitation), " +
        "64 usage error, 66 input missing or unreadable, 70 internal error, 73 cannot create output.";

    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Evidence: a folder (live install, copy, KAPE or Velociraptor collection) or a .zip" };
        var formats = ReportOptions.Create();
        var min = new Option<string>("--min-severity") { Description = "Hide findings below this level: info, low, medium, high, critical", DefaultValueFactory = _ => "info" };
        var noProgress = new Option<bool>("--no-progress") { Description = "Never show the progress display" };
        var sigma = SigmaOption.Create();
        var command = new Command("scan", "Scan evidence and give the verdict. " + ExitCodeHelp) { path, min, noProgress, sigma };
        ReportOptions.AddTo(command, formats);
        command.SetAction(parse =>
        {
            var outputs = ReportOptions.Outputs(parse, formats);
            return Run(parse.GetValue(path)!, outputs, parse.GetValue(min)!, parse.GetValue(noProgress),
                sigmaPaths: SigmaOption.Paths(parse.GetValue(sigma)));
        });
        return command;
    }

    public static int Run(string path, string? jsonPath, string minSeverity, bool noProgress, string? csvPath = null, TextWriter? stdout = null,
        IReadOnlyList<string>? sigmaPaths = null)
    {
        var outputs = new List<ReportOutput>();
        if (jsonPath is not null) outputs.Add(new ReportOutput("json", jsonPath));
        if (csvPath is not null) outputs.Add(new ReportOutput("csv", csvPath));
        return Run(path, outputs, minSeverity, noProgress, stdout, sigmaPaths);
    }

    public static int Run(string path, IReadOnlyList<ReportOutput> outputs, string minSeverity, bool noProgress, TextWriter? stdout = null,
        IReadOnlyList<string>? sigmaPaths = null)
    {
        if (!FindingEnums.TryParseSeverity(minSeverity, out var min))
            throw new UsageException($"--min-severity must be one of info, low, medium, high, critical (got '{minSeverity}')");
        var toStdout = outputs.Where(o => o.Path == "-").ToList();
        if (toStdout.Count > 1)
            throw new UsageException($"only one report can go to stdout ('-'); got {string.Join(" and ", toStdout.Select(o => "--" + o.Format))}");
        var dup = outputs.Where(o => o.Path != "-").GroupBy(o => Path.GetFullPath(o.Path), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new UsageException($"{string.Join(" and ", dup.Select(o => "--" + o.Format))} name the same file '{dup.First().Path}'");
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new Evidence.EvidenceUnreadableException($"'{path}' does not exist.");

        // Sigma rules load (and a bad --sigma path fails) before any output file is created.
        var rules = SigmaOption.Rules(sigmaPaths ?? [], Console.Error);

        // Create every output file now: a bad path must cost nothing, not a whole scan.
        var targets = new List<(IReportWriter Writer, ReportOutput Output, Stream? File)>();
        try
        {
            foreach (var o in outputs)
            {
                var writer = ReportWriters.All.FirstOrDefault(w => w.Format == o.Format)
                    ?? throw new UsageException($"unknown report format '{o.Format}'");
                targets.Add((writer, o, o.Path == "-" ? null : OpenOutput(o)));
            }

            var console = toStdout.Count > 0 ? Console.Error : stdout ?? Console.Out;
            ScanResult result;
            using (var progress = ProgressDisplay.Create(enabled: !noProgress))
            {
                result = new Scanner(new ScanOptions { Progress = progress, Rules = rules }).Scan(path);
                progress?.Finish();
            }

            foreach (var (writer, output, file) in targets)
            {
                try
                {
                    if (file is null)
                    {
                        using var s = Console.OpenStandardOutput();
                        writer.Write(result, s, min);
                        s.Flush();
                    }
                    else
                    {
                        writer.Write(result, file, min);
                        file.Flush();
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
                {
                    Console.Error.WriteLine($"exhunt: could not write the {output.Format} report to '{output.Path}': {e.Message}");
                }
            }
            ConsoleReport.Write(result, console, min);
            console.Flush();
            return Story.VerdictNames.ExitCode(result.Story.Verdict);
        }
        finally
        {
            foreach (var t in targets)
            {
                try { t.File?.Dispose(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"exhunt: could not finish the {t.Output.Format} report '{t.Output.Path}': {e.Message}");
                }
            }
        }
    }

    private static FileStream OpenOutput(ReportOutput o)
    {
        try { return new FileStream(o.Path, FileMode.Create, FileAccess.Write, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new OutputUnwritableException($"cannot create output '{o.Path}' for --{o.Format}: {e.Message.TrimEnd('.')}; nothing was scanned");
        }
    }
}

/// <summary>One report asked for on the command line: its format (<see cref="IReportWriter.Format"/>) and path ('-' = stdout).</summary>
public sealed record ReportOutput(string Format, string Path);
