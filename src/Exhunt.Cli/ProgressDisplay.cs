using System.Diagnostics;
using Exhunt.Scanning;

namespace Exhunt.Cli;

/// <summary>A one-line progress display on stderr, only when stderr is a terminal, at most ten updates a second.</summary>
public sealed class ProgressDisplay : IProgress<ScanProgress>, IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastMs = -1000;
    private bool _drawn;

    public static ProgressDisplay? Create(bool enabled) =>
        enabled && !Console.IsErrorRedirected ? new ProgressDisplay() : null;

    public void Report(ScanProgress p)
    {
        var now = _clock.ElapsedMilliseconds;
        if (now - Interlocked.Read(ref _lastMs) < 100 && p.FilesDone < p.FilesTotal) return;
        Interlocked.Exchange(ref _lastMs, now);
        var pct = p.BytesTotal == 0 ? 100 : 100.0 * p.BytesDone / p.BytesTotal;
        var rate = p.BytesDone / 1048576.0 / Math.Max(0.001, _clock.Elapsed.TotalSeconds);
        lock (this)
        {
            Console.Error.Write($"\r  scanning: {p.FilesDone}/{p.FilesTotal} files  {pct,5:0.0}%  {rate,7:0} MiB/s ");
            _drawn = true;
        }
    }

    public void Finish()
    {
        lock (this)
        {
            if (_drawn) Console.Error.Write("\r" + new string(' ', 70) + "\r");
            _drawn = false;
        }
    }

    public void Dispose() => Finish();
}
