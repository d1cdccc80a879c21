using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>Builds the finding for an event hit: time, record, artifact and host come from the event and its origin.</summary>
internal static class EventFindings
{
    public static Finding Make(RuleInfo rule, WinEvent e, EventOrigin origin, string? evidence,
        Outcome outcome = Outcome.Unknown, string? title = null, string? user = null, string? clientIp = null,
        Severity? severity = null, Dictionary<string, string>? details = null)
    {
        details ??= new Dictionary<string, string>();
        details["event"] = string.IsNullOrEmpty(e.Channel) ? $"{e.Provider} {e.EventId}" : $"{e.Channel} {e.EventId}";
        if (e.Computer is { Length: > 0 } host) details["computer"] = host;
        if (e.RecordId is { } rid) details["eventRecordId"] = rid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Finding
        {
            Rule = rule,
            Title = title,
            SeverityOverride = severity,
            Outcome = outcome,
            Time = e.TimeCreated,
            Artifact = origin.Artifact,
            Record = origin.Record,
            Host = Clean(e.Computer),
            User = Clean(user),
            ClientIp = Clean(clientIp),
            Evidence = Finding.Clip(evidence),
            Details = details,
        };
    }

    /// <summary>"-", "" and local loopback-free placeholders are not values.</summary>
    public static string? Clean(string? s) => s is null || s.Length == 0 || s == "-" ? null : s;
}
