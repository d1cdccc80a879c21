using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Exposure;

/// <summary>
/// Requests the server answered for versioned OWA/ECP resources (<c>/owa/auth/15.1.2176/themes/…</c>,
/// <c>/owa/prem/15.1.2176.9/…</c>, <c>/ecp/15.1.2176.9/…</c>) in IIS and HttpProxy logs: the build it served, with the
/// first and last time, so a change of build shows when the update went in. Only answered requests count (2xx, 304):
/// anyone can ask for a made-up version path, and the server then answers 404.
/// </summary>
internal sealed class ServedBuildRule : ILogRule
{
    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    public IReadOnlyList<string>? LineNeedles { get; } = ["/owa/auth/15.", "/owa/prem/15.", "/ecp/15."];

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.IsEmpty || VersionedPaths.Find(stem, urlRooted: true) is not { } hit) return;
        var status = record[Field.Status];
        if (!(status.StartsWith("2") || status.SequenceEqual("304"))) return;
        var folder = record.File.RelativePath;
        folder = folder.LastIndexOf('/') is var i and >= 0 ? folder[..(i + 1)] : "";
        var kind = record.Kind == ArtifactKind.Iis ? "IIS" : "HttpProxy";
        context.Exposure.Add(new BuildObservation(BuildObservation.HostOrUnknown(record.Str(Field.ServerHost) ?? record.File.Host),
            hit.Build, hit.Precision, folder.Length == 0 ? record.File.RelativePath : folder,
            $"{kind} logs: requests for /{hit.Kind}/{hit.Build}/ answered", record.Time, record.Time));
    }
}
