using System.CommandLine;
using Exhunt.Reports;

namespace Exhunt.Cli;

/// <summary>One <c>--FORMAT FILE</c> option per registered report writer, shared by <c>scan</c> and <c>demo</c>.</summary>
public static class ReportOptions
{
    public static IReadOnlyList<(IReportWriter Writer, Option<string?> Option)> Create() =>
        ReportWriters.All
            .Select(w => (Writer: w, Option: new Option<string?>("--" + w.Format) { Description = $"Also write {w.Description} to this file ('-' for stdout; the console report then goes to stderr)" }))
            .ToList();

    public static void AddTo(Command command, IReadOnlyList<(IReportWriter Writer, Option<string?> Option)> formats)
    {
        foreach (var (_, option) in formats) command.Options.Add(option);
    }

    public static List<ReportOutput> Outputs(ParseResult parse, IReadOnlyList<(IReportWriter Writer, Option<string?> Option)> formats) =>
        formats.Select(f => (f.Writer.Format, Path: parse.GetValue(f.Option)))
            .Where(o => o.Path is not null).Select(o => new ReportOutput(o.Format, o.Path!)).ToList();
}
