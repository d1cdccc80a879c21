using System.Text;
using Exhunt.Detection;
using Exhunt.Evidence;

namespace Exhunt.Exposure;

/// <summary>
/// After every file was read: the build from the evidence layout and from Exchange log headers.
/// - <c>FrontEnd\HttpProxy\owa\auth\&lt;15.x.y&gt;\</c> folders (CU level) and <c>ClientAccess\Owa\prem\&lt;15.x.y.z&gt;\</c>
///   folders (lower bound), from paths alone.
/// - The <c>#Software: Microsoft Exchange Server</c> / <c>#Version: 15.01.2375.007</c> header of Exchange CSV logs
///   (facts: detection-facts.md §2.1), dated by <c>#Date:</c>. The text-log reader keeps only <c>#Fields:</c>; the
///   scanner parses the first 4 KB its reader read (<see cref="EvidenceFile.LogHeader"/>), else they are read again
///   here. Taken as a lower bound: an update need not replace the component that writes the log. <c>15.0.0.0</c> (some log types) says nothing.
/// </summary>
internal sealed class LayoutBuildRule : ICorrelationRule
{
    private const int HeadBytes = 4096;

    public void Run(CorrelationInput input, ScanContext context)
    {
        foreach (var file in input.Index.All)
        {
            FromFolder(file, context);
            if (Exhunt.Scanning.ExchangeSignals.IsExchangeLogKind(file.Kind))
            {
                try { FromLogHeader(file, context); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException) { }
            }
        }
    }

    private static void FromFolder(EvidenceFile file, ScanContext context)
    {
        var path = file.RelativePath.Replace('\\', '/');
        if (VersionedPaths.Find(path, urlRooted: false) is not { } hit || hit.Kind == "ecp") return;
        var folder = path[..hit.EndOfVersion] + "/";
        context.Exposure.Add(new BuildObservation(BuildObservation.HostOrUnknown(file.Host), hit.Build, hit.Precision, folder,
            (hit.Kind == "owa/auth" ? "owa\\auth\\<build> folder" : "Owa\\prem\\<build> folder") + (hit.Precision == BuildPrecision.Cu ? " (CU level)" : " (lower bound)"),
            LastSeen: file.LastWriteUtc));
    }

    internal static void FromLogHeader(EvidenceFile file, ScanContext context)
    {
        var header = file.LogHeader;
        if (header is null)
        {
            var buf = new byte[HeadBytes];
            int n;
            using (var s = file.Open()) n = s.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
            header = ParseHeader(buf.AsSpan(0, n));
        }
        if (!header.Exchange || header.Build is not { IsExchange15: true, CuOnly: false } v) return;
        var date = header.Date;
        var folder = file.RelativePath.LastIndexOf('/') is var i and >= 0 ? file.RelativePath[..(i + 1)] : file.RelativePath;
        context.Exposure.Add(new BuildObservation(BuildObservation.HostOrUnknown(file.Host), v, BuildPrecision.LowerBound, folder,
            $"#Version header of Exchange {file.Kind.ToWire()} logs", date ?? file.LastWriteUtc, date ?? file.LastWriteUtc));
    }

    /// <summary>The header facts of an Exchange log from its first bytes (only the first <see cref="HeadBytes"/> are
    /// looked at); the scanner calls this with the bytes its reader already read, so the log is not opened again.</summary>
    internal static ExchangeLogHeader ParseHeader(ReadOnlySpan<byte> head)
    {
        var text = Encoding.UTF8.GetString(head[..Math.Min(head.Length, HeadBytes)]);
        bool exchange = false;
        ExchangeBuild? build = null;
        DateTime? date = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0) continue;
            if (line[0] != '#') break;
            if (line.StartsWith("#Software:", StringComparison.OrdinalIgnoreCase))
                exchange = line.Contains("Exchange", StringComparison.OrdinalIgnoreCase);
            else if (line.StartsWith("#Version:", StringComparison.OrdinalIgnoreCase) && ExchangeBuild.TryParse(line.AsSpan(9), out var b))
                build = b;
            else if (line.StartsWith("#Date:", StringComparison.OrdinalIgnoreCase)
                     && DateTime.TryParse(line[6..].Trim(), System.Globalization.CultureInfo.InvariantCulture,
                         System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var d))
                date = d;
        }
        return new ExchangeLogHeader(exchange, build, date);
    }
}

/// <summary>What the <c>#Software</c>, <c>#Version</c> and <c>#Date</c> lines of an Exchange log's header say.</summary>
internal sealed record ExchangeLogHeader(bool Exchange, ExchangeBuild? Build, DateTime? Date);
