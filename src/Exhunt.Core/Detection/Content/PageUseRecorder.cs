using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Detection.Content;

/// <summary>
/// Records, for the "who used it" correlation (<see cref="Correlation.ShellUsageRule"/>), every IIS/HttpProxy request
/// for a server page (requested types of Data/web/page-types.tsv) into <see cref="ScanContext.PageUse"/>: aggregated
/// per host and URL, bounded. Finds nothing by itself.
/// </summary>
public sealed class PageUseRecorder : ILogRule
{
    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>Every requested page type ends in one of these as logged (.aspx/.asp, .ashx, .asmx).</summary>
    public IReadOnlyList<string>? LineNeedles { get; } = [".asp", ".ashx", ".asmx"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.IsEmpty || !PageTypes.IsRequested(stem)) return;
        var host = record[Field.ServerHost];
        if (host.IsEmpty) host = record.File.Host;
        var status = int.TryParse(record[Field.Status], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0;
        var ip = record[Field.ClientIp].Trim();
        var cut = ip.IndexOfAny(' ', ',', ';');
        if (cut >= 0) ip = ip[..cut];
        context.PageUse.Record(host, stem, record.Time, ip, record[Field.Method], status, record.File.RelativePath, record.Line);
    }
}
