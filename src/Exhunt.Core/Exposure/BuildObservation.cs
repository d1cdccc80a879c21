namespace Exhunt.Exposure;

/// <summary>How much of the build an artifact proves.</summary>
public enum BuildPrecision
{
    /// <summary>Only the CU (owa\auth folder, CU-level path): the update level is not visible.</summary>
    Cu,
    /// <summary>The installed build is at least this (Owa\prem folder, /owa/prem or /ecp paths, export-tool manifest).</summary>
    LowerBound,
    /// <summary>The installed build itself, security/hotfix updates included (ExSetup.exe, X-OWA-Version, update records).</summary>
    Exact,
}

public static class BuildPrecisionNames
{
    public static string ToWire(this BuildPrecision p) => p switch
    {
        BuildPrecision.Exact => "exact",
        BuildPrecision.LowerBound => "lower-bound",
        _ => "cu",
    };
}

/// <summary>
/// One artifact saying which build a host ran: the build, how precise, the artifact (evidence path or URL) and how it
/// was read, and when (first and last time seen, when the artifact is dated).
/// </summary>
public sealed record BuildObservation(string Host, ExchangeBuild Build, BuildPrecision Precision, string Artifact, string How,
    DateTime? FirstSeen = null, DateTime? LastSeen = null)
{
    public const string UnknownHost = Findings.HostName.Unknown;

    /// <summary>The host as findings name it (lower case, domain suffix dropped), so exposure and verdict speak of one host.</summary>
    public static string HostOrUnknown(string? host) => Findings.HostName.Normalize(host) ?? UnknownHost;
}
