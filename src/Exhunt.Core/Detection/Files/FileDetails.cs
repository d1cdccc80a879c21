using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Detection.Files;

/// <summary>The details every file finding carries: size, hash and the collected last-write time.</summary>
public static class FileDetails
{
    public static Dictionary<string, string> Of(EvidenceFile file, string? sha256)
    {
        var d = new Dictionary<string, string> { ["bytes"] = file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (sha256 is not null) d["sha256"] = sha256;
        // The collected copy's timestamp: KAPE/robocopy keep it, plain copies do not, so it is a hint, not a finding time.
        if (file.LastWriteUtc is { } t) d["last_write_utc"] = Timestamps.ToIso(t);
        return d;
    }
}
