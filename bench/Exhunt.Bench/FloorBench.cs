namespace Exhunt.Bench;

/// <summary>
/// The floor any .NET scanner stands on: read every file of a folder once, one file per core, and count its line
/// breaks; nothing is parsed or matched. Timed as its own process next to ripgrep (BENCHMARKS.md "The .NET floor"),
/// it says how much of ripgrep's throughput is left for detection at all.
/// </summary>
internal static class FloorBench
{
    public static int Run(string dir)
    {
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToArray();
        long lines = 0, bytes = 0;
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => (Lines: 0L, Bytes: 0L, Buffer: new byte[1 << 20]),
            (path, _, acc) =>
            {
                using var handle = File.OpenHandle(path);
                long offset = 0;
                int n;
                while ((n = RandomAccess.Read(handle, acc.Buffer, offset)) > 0)
                {
                    offset += n;
                    acc.Lines += acc.Buffer.AsSpan(0, n).Count((byte)'\n');
                    acc.Bytes += n;
                }
                return acc;
            },
            acc => { Interlocked.Add(ref lines, acc.Lines); Interlocked.Add(ref bytes, acc.Bytes); });
        Console.WriteLine($"{files.Length:N0} files, {bytes:N0} bytes, {lines:N0} line breaks");
        return 0;
    }
}
