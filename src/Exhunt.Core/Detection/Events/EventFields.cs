using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// The event data names the built-in rules read, resolved once into <see cref="FieldKey"/>s of the shared field model
/// (<see cref="IFieldSource"/>). A rule reads them through <see cref="Of"/>: spans into the event, found by index, no
/// allocation. Names with a space in the event (Defender's "Threat Name") are found under the name without it.
/// </summary>
internal static class EventFields
{
    public static readonly FieldKey Image = Key("Image");
    public static readonly FieldKey CommandLine = Key("CommandLine");
    public static readonly FieldKey ParentImage = Key("ParentImage");
    public static readonly FieldKey ParentCommandLine = Key("ParentCommandLine");
    public static readonly FieldKey User = Key("User");
    public static readonly FieldKey NewProcessName = Key("NewProcessName");
    public static readonly FieldKey ParentProcessName = Key("ParentProcessName");
    public static readonly FieldKey TargetUserName = Key("TargetUserName");
    public static readonly FieldKey TargetDomainName = Key("TargetDomainName");
    public static readonly FieldKey SubjectUserName = Key("SubjectUserName");
    public static readonly FieldKey SubjectDomainName = Key("SubjectDomainName");
    public static readonly FieldKey TargetFilename = Key("TargetFilename");
    public static readonly FieldKey TargetImage = Key("TargetImage");
    public static readonly FieldKey SourceImage = Key("SourceImage");
    public static readonly FieldKey SourceUser = Key("SourceUser");
    public static readonly FieldKey GrantedAccess = Key("GrantedAccess");
    public static readonly FieldKey CallTrace = Key("CallTrace");
    public static readonly FieldKey ObjectName = Key("ObjectName");
    public static readonly FieldKey AccessMask = Key("AccessMask");
    public static readonly FieldKey ProcessName = Key("ProcessName");
    public static readonly FieldKey RelativeTargetName = Key("RelativeTargetName");
    public static readonly FieldKey ShareLocalPath = Key("ShareLocalPath");
    public static readonly FieldKey ShareName = Key("ShareName");
    public static readonly FieldKey IpAddress = Key("IpAddress");
    /// <summary>System 104's UserData names the log that was cleared.</summary>
    public static readonly FieldKey ClearedChannel = Key("Channel");
    public static readonly FieldKey ThreatName = Key("ThreatName");
    public static readonly FieldKey Path = Key("Path");
    public static readonly FieldKey ActionName = Key("ActionName");
    public static readonly FieldKey DetectionUser = Key("DetectionUser");

    private static FieldKey Key(string name) => FieldNames.EventData(name);

    /// <summary>The field view at <paramref name="evt"/>, shared by every rule that reads this event on this thread.</summary>
    public static WinEventFields Of(WinEvent evt) => WinEventFields.For(evt);

    /// <summary>The value, or an empty span when the event has no such field.</summary>
    public static ReadOnlySpan<char> Get(this IFieldSource f, FieldKey key) => f.TryGet(key, out var v) ? v : default;

    /// <summary>The value as a string (allocated: for findings), or null when the event has no such field.</summary>
    public static string? Str(this IFieldSource f, FieldKey key) => f.TryGet(key, out var v) ? v.ToString() : null;
}
