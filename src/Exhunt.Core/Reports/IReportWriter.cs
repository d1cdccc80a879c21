using Exhunt.Findings;
using Exhunt.Scanning;

namespace Exhunt.Reports;

/// <summary>
/// One report format, chosen on the command line by <c>--{Format} FILE</c> ('-' for stdout). Every writer renders the
/// same <see cref="ScanResult"/>; none re-filters or re-narrates beyond the minimum severity it is given.
/// </summary>
public interface IReportWriter
{
    /// <summary>The option name without dashes: "json", "csv" ...</summary>
    string Format { get; }
    /// <summary>One line for <c>scan --help</c>.</summary>
    string Description { get; }
    void Write(ScanResult result, Stream output, Severity minSeverity);
}

/// <summary>The registered report formats, in the order their options are listed.</summary>
public static class ReportWriters
{
    public static IReadOnlyList<IReportWriter> All { get; } =
    [
        new JsonReportWriter(),
        new CsvReportWriter(),
        new HtmlReportWriter(),
        new TimesketchReportWriter(),
        new EcsReportWriter(),
        new StixReportWriter(),
    ];
}

internal sealed class JsonReportWriter : IReportWriter
{
    public string Format => "json";
    public string Description => "the exhunt.report/1 JSON report";
    public void Write(ScanResult result, Stream output, Severity minSeverity) => JsonReport.Write(result, output, minSeverity);
}

internal sealed class CsvReportWriter : IReportWriter
{
    public string Format => "csv";
    public string Description => "the findings as a CSV timeline (Timesketch imports it as is)";
    public void Write(ScanResult result, Stream output, Severity minSeverity)
    {
        using var w = new StreamWriter(output, new System.Text.UTF8Encoding(false), leaveOpen: true);
        CsvTimeline.Write(result, w, minSeverity);
    }
}
