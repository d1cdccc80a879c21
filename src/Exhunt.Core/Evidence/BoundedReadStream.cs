namespace Exhunt.Evidence;

/// <summary>
/// A read-only view of an archive entry that ends at the size the archive declared: a lying header cannot make an
/// entry (or a decompression bomb) longer than the length that was counted and reported for it.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit) : ForwardReadStream
{
    private long _read;

    public override long Length => limit;
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var left = limit - _read;
        if (left <= 0 || buffer.IsEmpty) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        var n = inner.Read(buffer);
        _read += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
