using Exhunt.Demo;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Story;

/// <summary>The demo intrusion written and scanned once per test class that uses it.</summary>
public sealed class DemoScan : IDisposable
{
    private readonly Fixture.TempDir _dir = new();

    public DemoScan()
    {
        DemoEvidence.Write(_dir.Path, new DemoOptions { Days = 2, RequestsPerDay = 600, Seed = 4242, Parallelism = 2 });
        Result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(_dir.Path);
    }

    public ScanResult Result { get; }

    public void Dispose() => _dir.Dispose();
}
