namespace Exhunt.Evidence;

/// <summary>
/// A read-only view of an archive entry that ends at the size the archive declared: a lying header cannot make an
/// entry (or a decompression bomb) longer than the length that was counted and reported for it.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => limit;
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var left = limit - _read;
        if (left <= 0 || buffer.IsEmpty) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        var n = inner.Read(buffer);
        _read += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
