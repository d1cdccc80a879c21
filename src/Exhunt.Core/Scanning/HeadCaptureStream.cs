using Exhunt.Evidence;

namespace Exhunt.Scanning;

/// <summary>
/// A read-only pass-through that keeps a copy of the first bytes read from the stream it wraps, so what is learnt from
/// a file's head (its host) comes from the bytes the reader already read instead of a second open and read.
/// </summary>
internal sealed class HeadCaptureStream(Stream inner, int capacity) : ForwardReadStream
{
    private readonly byte[] _head = new byte[capacity];
    private int _captured;
    private long _position;

    /// <summary>The first bytes of the stream, as many as were read (at most the capacity).</summary>
    public ReadOnlyMemory<byte> Head => _head.AsMemory(0, _captured);

    /// <summary>Every byte up to the capacity was read, or the stream ended before it.</summary>
    public bool HeadComplete => _captured == _head.Length || _ended;

    private bool _ended;

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        if (n == 0 && buffer.Length > 0) _ended = true;
        if (_position < _head.Length && n > 0)
        {
            var take = (int)Math.Min(n, _head.Length - _position);
            buffer[..take].CopyTo(_head.AsSpan((int)_position));
            _captured = (int)_position + take;
        }
        _position += n;
        return n;
    }

    public override long Length => inner.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
