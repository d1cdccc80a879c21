using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;

namespace Exhunt.Bench;

/// <summary>
/// EVTX throughput, single-threaded (per core):
///   evtx read PATH... [--xml] [--repeat N]   records/s and MB/s reading events (fields) or rendering XML
///   evtx assemble OUT MEGABYTES SRC_DIR      one big valid .evtx from the chunks of the files under SRC_DIR
///   evtx rules DIR                           the built-in event rules over DIR's events, routed vs every rule (EventRulesBench)
/// </summary>
public static class EvtxBench
{
    public static int Run(string[] args)
    {
        if (args.Length >= 4 && args[0] == "assemble") return Assemble(args[1], int.Parse(args[2]), args[3]);
        if (args.Length >= 2 && args[0] == "read") return Read(args[1..]);
        if (args.Length == 2 && args[0] == "rules") return EventRulesBench.Run(args[1]);
        Console.Error.WriteLine("usage: evtx read PATH... [--xml] [--repeat N] | evtx assemble OUT MEGABYTES SRC_DIR | evtx rules DIR");
        return 64;
    }

    private static int Read(string[] args)
    {
        var xml = args.Contains("--xml");
        var repeat = 1;
        var r = Array.IndexOf(args, "--repeat");
        if (r >= 0) repeat = int.Parse(args[r + 1]);
        var files = args.Where((a, i) => !a.StartsWith("--") && (i == 0 || args[i - 1] != "--repeat"))
            .SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*.evtx", SearchOption.AllDirectories) : [p])
            .Order(StringComparer.Ordinal).ToList();
        long records = 0, bytes = 0, skipped = 0, chars = 0;
        var sb = new StringBuilder(1 << 16);
        var clock = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (var pass = 0; pass < repeat; pass++)
        {
            foreach (var file in files)
            {
                var stats = new ReaderStats();
                using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                bytes += s.Length;
                if (args.Contains("--parse-only"))
                    EvtxFile.ReadRecords(s, stats, rec => stats.Records++);
                else if (xml)
                    EvtxFile.ReadRecords(s, stats, rec =>
                    {
                        sb.Clear();
                        try { rec.WriteXml(sb); stats.Records++; chars += sb.Length; }
                        catch (EvtxFormatException) { stats.Skipped++; }
                    });
                else
                    EvtxReader.Read(s, stats, (e, _) => chars += e.Data.Count);
                records += stats.Records;
                skipped += stats.Skipped;
            }
        }
        // The machine is shared: CPU time (user + sys) is the per-core measure; wall time is shown too.
        var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var mode = args.Contains("--parse-only") ? "parse-only" : xml ? "xml" : "fields";
        Console.WriteLine($"exhunt {mode}: {files.Count} files x{repeat}, {records} records ({skipped} skipped), {bytes / 1e6:F1} MB, " +
                          $"CPU {seconds:F2} s (wall {clock.Elapsed.TotalSeconds:F2} s): {records / seconds:F0} records/s, {bytes / 1e6 / seconds:F1} MB/s per core");
        return 0;
    }

    private static int Assemble(string output, int megabytes, string sourceDir)
    {
        var chunks = new List<byte[]>();
        foreach (var file in Directory.EnumerateFiles(sourceDir, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var data = File.ReadAllBytes(file);
            for (var at = 4096; at + 0x10000 <= data.Length; at += 0x10000)
                if (data.AsSpan(at, 8).SequenceEqual("ElfChnk\0"u8)) chunks.Add(data[at..(at + 0x10000)]);
        }
        var count = Math.Min(65535, megabytes * 16);
        using var o = new FileStream(output, FileMode.Create, FileAccess.Write);
        var header = new byte[4096];
        "ElfFile\0"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), (ulong)count - 1);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), ulong.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(32), 128);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(36), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(38), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(40), 4096);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(42), (ushort)count);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(124), Crc32.Compute(header.AsSpan(0, 120)));
        o.Write(header);
        for (var i = 0; i < count; i++) o.Write(chunks[i % chunks.Count]);
        Console.WriteLine($"{output}: {count} chunks ({chunks.Count} distinct from {sourceDir}), {(4096 + count * 0x10000L) / 1e6:F1} MB");
        return 0;
    }
}
