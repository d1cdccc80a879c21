using Exhunt.Detection;
using Exhunt.Evidence;

namespace Exhunt.Exposure;

/// <summary>
/// ExSetup.exe's version resource: the installed build, security and hotfix updates included (HealthChecker reads
/// the same; facts: exchange-fingerprint.md §1 row 1). Files named ExSetup.exe that are not an Exchange 15 build
/// (another product, a renamed tool) are left alone.
/// </summary>
internal sealed class ExSetupVersionRule : IFileRule
{
    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.Executable;

    public void Inspect(EvidenceFile file, Detection.Content.FileContent content, ScanContext context)
    {
        if (!file.FileName.Equals("ExSetup.exe", StringComparison.OrdinalIgnoreCase)) return;
        using var stream = file.Open();
        var info = PeVersionReader.Read(stream, out _);
        if (info is null || !info.FileVersion.IsExchange15) return;
        if (info.ProductName is { } name && !name.Contains("Exchange", StringComparison.OrdinalIgnoreCase)) return;
        context.Exposure.Add(new BuildObservation(BuildObservation.HostOrUnknown(file.Host), info.FileVersion, BuildPrecision.Exact,
            file.RelativePath, $"ExSetup.exe version resource (FileVersion {info.FileVersionText ?? info.FileVersion.ToString()})",
            LastSeen: file.LastWriteUtc));
    }
}
