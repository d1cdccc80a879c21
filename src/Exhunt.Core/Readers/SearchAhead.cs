using System.Collections.Concurrent;

namespace Exhunt.Readers;

/// <summary>
/// The line prefilter's search on another core: a second stream over the same file is read ahead in blocks of whole
/// lines and searched, and the hits (stream offsets) handed over in order; the reader still reads and handles every
/// line itself, in order, so what it does with them is unchanged. At most <see cref="MaxBatches"/> blocks ahead.
/// </summary>
internal sealed class SearchAhead : IDisposable
{
    public const int MaxBatches = 4;
    private const int BlockBytes = 1 << 20, MaxCarry = 4 << 20;
    private readonly BlockingCollection<(long SearchedTo, long[] Hits)> _batches = new(MaxBatches);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private Exception? _failed;

    public SearchAhead(Func<Stream> open, Action<ReadOnlySpan<byte>, List<int>> filter)
    {
        _producer = Task.Factory.StartNew(() => Produce(open, filter), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The next block's hits and the offset up to which it was searched; false at the end (the reader then
    /// searches on its own from there).</summary>
    public bool Next(out long searchedTo, out long[] hits)
    {
        try
        {
            if (_batches.TryTake(out var b, Timeout.Infinite))
            {
                (searchedTo, hits) = b;
                return true;
            }
        }
        catch (InvalidOperationException) { } // completed
        if (_failed is not null) throw new IOException($"read-ahead search failed: {_failed.Message}", _failed);
        searchedTo = 0;
        hits = [];
        return false;
    }

    private void Produce(Func<Stream> open, Action<ReadOnlySpan<byte>, List<int>> filter)
    {
        try
        {
            using var stream = open();
            var buf = new byte[BlockBytes + MaxCarry];
            var hits = new List<int>();
            long at = 0; // stream offset of buf[0]
            var carry = 0;
            while (!_stop.IsCancellationRequested)
            {
                var n = stream.Read(buf, carry, Math.Min(BlockBytes, buf.Length - carry));
                if (n <= 0)
                {
                    if (carry > 0) Add(buf.AsSpan(0, carry), at, at + carry, filter, hits);
                    break;
                }
                var filled = carry + n;
                var lastBreak = buf.AsSpan(0, filled).LastIndexOf((byte)'\n');
                if (lastBreak < 0)
                {
                    if (filled < buf.Length) { carry = filled; continue; }
                    // Over 4 MiB without a line break: the reader skips such a line (over 1 MiB) unsearched; so does this.
                    at += filled;
                    carry = 0;
                    continue;
                }
                Add(buf.AsSpan(0, lastBreak), at, at + lastBreak, filter, hits);
                carry = filled - lastBreak - 1;
                Buffer.BlockCopy(buf, lastBreak + 1, buf, 0, carry);
                at += lastBreak + 1;
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is not OutOfMemoryException) { _failed = e; }
        finally { _batches.CompleteAdding(); }
    }

    private void Add(ReadOnlySpan<byte> block, long at, long searchedTo, Action<ReadOnlySpan<byte>, List<int>> filter, List<int> hits)
    {
        hits.Clear();
        filter(block, hits);
        var abs = new long[hits.Count];
        for (var i = 0; i < abs.Length; i++) abs[i] = at + hits[i];
        _batches.Add((searchedTo, abs), _stop.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _producer.Wait(); } catch (AggregateException) { }
        _batches.Dispose();
        _stop.Dispose();
    }
}
