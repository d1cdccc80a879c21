using System.Globalization;
using System.Text.Json;
using Exhunt.Exposure;

namespace Exhunt.Reports;

/// <summary>
/// The exposure part of the JSON report: <c>exposure</c> (the host with the worst exposure, null when no evidence
/// showed a build), <c>hosts_exposure</c> (every host), <c>exposure_tables</c> (which table version decided).
/// </summary>
public static class ExposureJson
{
    public static void WriteScan(Utf8JsonWriter w, ScanExposure? exposure)
    {
        var worst = exposure?.Worst;
        if (worst is null) w.WriteNull("exposure");
        else
        {
            w.WritePropertyName("exposure");
            Write(w, worst);
        }
        w.WriteStartArray("hosts_exposure");
        foreach (var h in exposure?.Hosts ?? []) Write(w, h);
        w.WriteEndArray();
        w.WriteString("exposure_tables", exposure?.TablesVersion ?? ExposureTables.BuiltIn.Version);
        if (exposure is { ObservationsDropped: > 0 }) w.WriteNumber("exposure_observations_dropped", exposure.ObservationsDropped);
    }

    /// <summary>One host's exposure as an object: {host, build, product, update, precision, source, open_cves, config_checks ...}.</summary>
    public static void Write(Utf8JsonWriter w, ExposureAssessment a)
    {
        w.WriteStartObject();
        w.WriteString("host", a.Host);
        w.WriteString("build", a.Build.ToString());
        Str(w, "product", a.Product);
        Str(w, "cu", a.Cu);
        Str(w, "update", a.Update);
        w.WriteString("label", a.Label);
        w.WriteString("precision", a.Precision.ToWire());
        w.WriteStartObject("source");
        w.WriteString("artifact", a.Artifact);
        w.WriteString("how", a.How);
        w.WriteEndObject();
        Time(w, "first_seen", a.FirstSeen);
        Time(w, "last_seen", a.LastSeen);
        w.WriteString("summary", ExposureText.Sentence(a));
        Str(w, "advice", a.Advice);
        Str(w, "headline", a.Headline);
        w.WriteNumber("open_count", a.CertainOpen);
        w.WriteNumber("possibly_open_count", a.OpenCves.Count - a.CertainOpen);
        w.WriteStartArray("open_cves");
        foreach (var c in a.OpenCves)
        {
            w.WriteStartObject();
            w.WriteString("cve", c.Cve);
            w.WriteString("name", c.Name);
            w.WriteString("fixed_by", c.FixedBy);
            Str(w, "kb", c.Kb);
            w.WriteString("status", c.Certain ? "open" : "possibly-open");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("config_checks");
        foreach (var c in a.ConfigChecks)
        {
            w.WriteStartObject();
            w.WriteString("cve", c.Cve);
            w.WriteString("name", c.Name);
            w.WriteString("check", c.Check);
            w.WriteString("status", c.BuildFixed ? "needs a configuration check" : "open; a mitigation may apply");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("notes");
        foreach (var n in a.Notes) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteStartArray("also_seen");
        foreach (var o in a.OtherObservations)
        {
            w.WriteStartObject();
            w.WriteString("build", o.Build.ToString());
            w.WriteString("precision", o.Precision.ToWire());
            w.WriteString("artifact", o.Artifact);
            w.WriteString("how", o.How);
            Time(w, "first_seen", o.FirstSeen);
            Time(w, "last_seen", o.LastSeen);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Str(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteString(name, value);
    }

    private static void Time(Utf8JsonWriter w, string name, DateTime? t)
    {
        if (t is null) w.WriteNull(name);
        else w.WriteString(name, t.Value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
    }
}
