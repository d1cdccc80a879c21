using System.Text;
using Exhunt.Detection;
using Exhunt.Evidence;

namespace Exhunt.Exposure;

/// <summary>
/// Installed-update records in registry exports (.reg: Updates\Exchange 20xx\*\PackageName, Uninstall DisplayName)
/// and Exchange update/setup logs (Logging\Update\msi\ExchangeUpdate_*.log, ExchangeSetup*.log): the newest
/// update installed gives the build. Log lines count only when they say the update installed; failures do not.
/// Streams line by line (UTF-16 exports included); lines are cut at 64 K characters.
/// </summary>
internal sealed class UpdateRecordRule : IFileRule
{
    private const int MaxLine = 64 * 1024;
    private const long MaxBytes = 512L * 1024 * 1024;

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Unrecognised or ArtifactKind.ExchangeLog;

    public void Inspect(EvidenceFile file, Detection.Content.FileContent content, ScanContext context)
    {
        var head = content.Head.Span;
        var isReg = file.FileName.EndsWith(".reg", StringComparison.OrdinalIgnoreCase);
        if (!isReg && !IsUpdateLog(file)) return;
        var tables = ExposureTables.BuiltIn;
        var encoding = head.Length >= 4 && head[0] != 0 && head[1] == 0 && head[3] == 0 ? Encoding.Unicode : Encoding.UTF8;
        using var stream = file.Open();
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true);
        var buffer = new char[8192];
        var line = new StringBuilder();
        long chars = 0;
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0 && (chars += n) < MaxBytes)
        {
            for (var i = 0; i < n; i++)
            {
                var c = buffer[i];
                if (c == '\n') { Line(line.ToString(), isReg, file, context, tables); line.Clear(); }
                else if (line.Length < MaxLine) line.Append(c);
            }
        }
        if (line.Length > 0) Line(line.ToString(), isReg, file, context, tables);
    }

    private static bool IsUpdateLog(EvidenceFile file)
    {
        var name = file.FileName;
        if (!name.EndsWith(".log", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) return false;
        return name.StartsWith("ExchangeUpdate", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ExchangeSetup", StringComparison.OrdinalIgnoreCase)
            || file.RelativePath.Contains("/Logging/Update/", StringComparison.OrdinalIgnoreCase);
    }

    private static void Line(string line, bool isReg, EvidenceFile file, ScanContext context, ExposureTables tables)
    {
        if (!isReg && !SaysInstalled(line)) return;
        if (UpdateRecordText.Find(line, tables) is not { } record) return;
        var how = isReg ? $"installed-update record in a registry export: {record.Text}" : $"update log says installed: {record.Text}";
        context.Exposure.Add(new BuildObservation(BuildObservation.HostOrUnknown(file.Host), record.Build, BuildPrecision.Exact,
            file.RelativePath, how, LastSeen: file.LastWriteUtc));
    }

    /// <summary>MSI wording for a completed install ("installed successfully", "Installation success or error status: 0").</summary>
    internal static bool SaysInstalled(string line) =>
        !line.Contains("could not be installed", StringComparison.OrdinalIgnoreCase)
        && (line.Contains("installed successfully", StringComparison.OrdinalIgnoreCase)
            || line.Contains("status: 0.", StringComparison.OrdinalIgnoreCase)
            || line.EndsWith("status: 0", StringComparison.OrdinalIgnoreCase));
}
