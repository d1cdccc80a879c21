using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Exhunt.Readers;

namespace Exhunt.Tests.Events;

/// <summary>
/// Test-only bridge from the EVTX oracle (python-evtx rendered XML, one JSON object per record in a .jsonl.gz)
/// to <see cref="WinEvent"/>, so the event rules can be checked on real recorded attacks without the binary reader.
/// </summary>
public static class OracleXml
{
    public static IEnumerable<(long Record, WinEvent Event)> Read(string jsonlGz)
    {
        using var file = File.OpenRead(jsonlGz);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        while (reader.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            var record = doc.RootElement.GetProperty("record").GetInt64();
            if (doc.RootElement.GetProperty("xml").GetString() is not { } xml) continue;
            WinEvent? e;
            try { e = Parse(xml); }
            catch (XmlException) { continue; }
            yield return (record, e);
        }
    }

    public static WinEvent Parse(string xml)
    {
        var root = XElement.Parse(xml);
        XNamespace ns = root.Name.Namespace;
        var sys = root.Element(ns + "System")!;
        string? Attr(string element, string attr) => sys.Element(ns + element)?.Attribute(attr)?.Value is { Length: > 0 } v ? v : null;
        string? Val(string element) => sys.Element(ns + element)?.Value is { Length: > 0 } v ? v : null;
        var e = new WinEvent
        {
            Provider = Attr("Provider", "Name") ?? "",
            EventSourceName = Attr("Provider", "EventSourceName"),
            EventId = int.Parse(Val("EventID") ?? "0", CultureInfo.InvariantCulture),
            Level = Val("Level") is { } l ? int.Parse(l, CultureInfo.InvariantCulture) : null,
            Channel = Val("Channel") ?? "",
            Computer = Val("Computer"),
            UserId = Attr("Security", "UserID"),
            RecordId = Val("EventRecordID") is { } r ? ulong.Parse(r, CultureInfo.InvariantCulture) : null,
            TimeCreated = Attr("TimeCreated", "SystemTime") is { } t
                ? DateTime.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal) : null,
        };
        var n = 0;
        foreach (var d in root.Element(ns + "EventData")?.Elements(ns + "Data") ?? [])
            e.Data.Add(new KeyValuePair<string, string>(d.Attribute("Name")?.Value ?? "Data" + ++n, d.Value));
        foreach (var d in root.Element(ns + "UserData")?.Elements().SelectMany(x => x.Elements()) ?? [])
            e.Data.Add(new KeyValuePair<string, string>(d.Name.LocalName, d.Value));
        return e;
    }
}
