namespace Exhunt.Demo;

public sealed class DemoOptions
{
    /// <summary>Days of benign traffic.</summary>
    public int Days { get; init; } = 3;
    /// <summary>Roughly how many benign front-end requests per day (each is written to HttpProxy and IIS): the scale knob for bench/.</summary>
    public int RequestsPerDay { get; init; } = 4000;
    public int Seed { get; init; } = 20210303;
    /// <summary>First day of the collection (UTC). The intrusion happens on the second day, or the only one.</summary>
    public DateTime Start { get; init; } = new(2021, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    /// <summary>Collection shape the files are written in.</summary>
    public DemoLayout Layout { get; init; } = DemoLayout.Kape;
    /// <summary>Size of the LSASS dump file (real ones are tens of MB; the default keeps the demo small).</summary>
    public int LsassDumpBytes { get; init; } = 256 * 1024;
    /// <summary>Days written at once (output is the same whatever the value).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>False writes the benign traffic and files only: the false-positive baseline.</summary>
    public bool Intrusion { get; init; } = true;
}

/// <summary>What <see cref="DemoEvidence.Write"/> produced.</summary>
public sealed record DemoManifest(string Folder, IReadOnlyList<string> KapePaths, IReadOnlyList<string> RelativePaths, DemoIntrusionFacts Intrusion);

/// <summary>
/// Writes a realistic demo evidence set (issue 2, item 3): days of benign Exchange traffic from a few hundred users and
/// their clients, with one ProxyLogon intrusion and some failed scanner probes inside it, laid out like a collection
/// of a real Exchange server. Deterministic for a seed; streams every file, so it scales to gigabytes for the benchmark.
/// </summary>
public static class DemoEvidence
{
    public static DemoManifest Write(string folder, DemoOptions options)
    {
        Directory.CreateDirectory(folder);
        var org = new DemoOrg(options.Seed);
        var script = new DemoScript();
        var intrusion = new DemoIntrusion(org, options, script);
        var facts = intrusion.Script();
        var output = new DemoOutput(folder, options.Layout);
        var days = Math.Max(1, options.Days);

        Parallel.For(0, days, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) },
            d => new BenignTraffic(org, options, script, output, d).Write());

        // Scripted lines for files no traffic opened (an hour nobody used a protocol in, small demos).
        foreach (var (path, kind, lines) in script.Remaining())
        {
            var first = lines.Min(l => l.Time);
            using (var sink = output.Open(path, lines))
                DemoPaths.Header(sink, kind, kind is DemoLogKind.HttpProxy ? new DateTime(first.Year, first.Month, first.Day, first.Hour, 0, 0, DateTimeKind.Utc) : first.Date);
            output.Touch(path, lines.Max(l => l.Time));
        }

        DemoFiles.Write(output, org, options, intrusion, facts);
        var kape = output.Written;
        return new DemoManifest(folder, kape, kape.Select(options.Layout.Map).ToList(), facts);
    }
}
