using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;

namespace Exhunt.Cli;

/// <summary>
/// <c>exhunt dump</c>: .evtx records as JSON lines. <c>xml-jsonl</c> is the python-evtx reference shape
/// (<c>{"record", "timestamp", "xml"}</c>, plus <c>"recovered"</c>/<c>"torn"</c> when true); <c>jsonl</c> is one flat
/// object per event for people and SIEMs. The XML is well-formed XML 1.0 (see EvtxXmlRenderer for the escapes).
/// </summary>
public static class DumpCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = ".evtx files, or folders searched for them", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "xml-jsonl (record, timestamp, xml) or jsonl (flat event fields)", DefaultValueFactory = _ => "jsonl" };
        var output = new Option<string?>("--out") { Description = "Write to this file instead of stdout" };
        var outDir = new Option<string?>("--out-dir") { Description = "Write <relative path>.jsonl per input file under this folder (folder inputs)" };
        var command = new Command("dump", "Dump Windows event log (.evtx) records as JSON lines") { paths, format, output, outDir };
        command.SetAction(parse => Run(parse.GetValue(paths)!, parse.GetValue(format)!, parse.GetValue(output), parse.GetValue(outDir)));
        return command;
    }

    public static int Run(string[] paths, string format, string? outPath, string? outDir, TextWriter? stderr = null)
    {
        stderr ??= Console.Error;
        var xml = format switch
        {
            "xml-jsonl" => true,
            "jsonl" => false,
            _ => throw new UsageException($"--format must be xml-jsonl or jsonl (got '{format}')"),
        };
        var inputs = new List<(string File, string Relative)>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
                inputs.AddRange(Directory.EnumerateFiles(p, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                    .Select(f => (f, Path.GetRelativePath(p, f))));
            else if (File.Exists(p))
                inputs.Add((p, Path.GetFileName(p)));
            else
                throw new Evidence.EvidenceUnreadableException($"'{p}' does not exist.");
        }

        Stream? shared = outDir is not null ? null : outPath is null ? Console.OpenStandardOutput() : new FileStream(outPath, FileMode.Create, FileAccess.Write);
        var problems = 0;
        try
        {
            foreach (var (file, relative) in inputs)
            {
                Stream target = shared ?? Create(Path.Combine(outDir!, relative + ".jsonl"));
                try
                {
                    var stats = new ReaderStats();
                    using (var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan))
                        Dump(input, target, xml, stats);
                    foreach (var error in stats.Errors) stderr.WriteLine($"{file}: {error}");
                    if (stats.Errors.Count > 0) problems++;
                }
                finally
                {
                    if (shared is null) target.Dispose();
                }
            }
        }
        finally
        {
            shared?.Dispose();
        }
        return problems == 0 ? 0 : 1;
    }

    private static FileStream Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new FileStream(path, FileMode.Create, FileAccess.Write);
    }

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>Writes every record of one .evtx stream as JSON lines.</summary>
    public static void Dump(Stream input, Stream output, bool xml, ReaderStats stats)
    {
        var buffered = new BufferedStream(output, 1 << 16);
        using var json = new Utf8JsonWriter(buffered, Options);
        var sb = new StringBuilder(4096);
        EvtxFile.ReadRecords(input, stats, record =>
        {
            WinEvent? e = null;
            try
            {
                if (xml)
                {
                    sb.Clear();
                    record.WriteXml(sb);
                }
                else e = record.ToEvent();
            }
            catch (Exception ex) when (ex is EvtxFormatException or ArgumentException or IndexOutOfRangeException)
            {
                stats.Skip($"record {record.Id} (chunk {record.ChunkIndex}): {ex.Message}");
                return;
            }
            EvtxReader.Count(stats, record, e?.TimeCreated ?? record.Written);
            json.Reset(buffered);
            if (xml) WriteXmlLine(json, record, sb);
            else WriteEvent(json, record, e!);
            json.Flush();
            buffered.Write(NewLine);
        });
        buffered.Flush();
    }

    private static void WriteXmlLine(Utf8JsonWriter json, EvtxRecord record, StringBuilder sb)
    {
        json.WriteStartObject();
        json.WriteNumber("record", record.Id);
        if (record.Written is { } w) json.WriteString("timestamp", w.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        else json.WriteNull("timestamp");
        // One chunk (the usual case: the builder is reused and grows once) is written without a string copy.
        var chunks = sb.GetChunks();
        if (chunks.MoveNext() && chunks.Current.Length == sb.Length) json.WriteString("xml", chunks.Current.Span);
        else json.WriteString("xml", sb.ToString());
        // Extensions of the reference shape, present only when true.
        if (record.Recovered) json.WriteBoolean("recovered", true);
        if (record.Torn) json.WriteBoolean("torn", true);
        json.WriteEndObject();
    }

    private static void WriteEvent(Utf8JsonWriter json, EvtxRecord record, WinEvent e)
    {
        json.WriteStartObject();
        json.WriteNumber("EventRecordID", e.RecordId ?? record.Id);
        if (e.TimeCreated is { } t) json.WriteString("TimeCreated", t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("Provider", e.Provider);
        Str(json, "ProviderGuid", e.ProviderGuid);
        Str(json, "EventSourceName", e.EventSourceName);
        json.WriteNumber("EventID", e.EventId);
        Num(json, "Qualifiers", e.Qualifiers);
        Num(json, "Version", e.Version);
        Num(json, "Level", e.Level);
        Num(json, "Task", e.Task);
        Num(json, "Opcode", e.Opcode);
        if (e.Keywords is { } k) json.WriteString("Keywords", "0x" + k.ToString("x16", CultureInfo.InvariantCulture));
        json.WriteString("Channel", e.Channel);
        Str(json, "Computer", e.Computer);
        Str(json, "UserID", e.UserId);
        Str(json, "ActivityID", e.ActivityId);
        Str(json, "RelatedActivityID", e.RelatedActivityId);
        if (e.ProcessId is { } pid) json.WriteNumber("ProcessID", pid);
        if (e.ThreadId is { } tid) json.WriteNumber("ThreadID", tid);
        if (record.Recovered) json.WriteBoolean("Recovered", true);
        if (record.Torn) json.WriteBoolean("Torn", true);
        json.WriteStartObject("Data");
        HashSet<string>? seen = e.Data.Count > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
        foreach (var (name, value) in e.Data)
        {
            var key = name;
            for (var n = 2; seen is not null && !seen.Add(key); n++) key = name + "_" + n.ToString(CultureInfo.InvariantCulture);
            json.WriteString(key, value);
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Str(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null) json.WriteString(name, value);
    }

    private static void Num(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
    }
}
