using Exhunt.Evidence;

namespace Exhunt.Readers.EventJson;

/// <summary>A read-only stream that returns some already-read bytes and then the rest of an inner stream.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream inner) : ForwardReadStream
{
    private int _offset;

    public override int Read(Span<byte> buffer)
    {
        if (_offset < prefixLength)
        {
            var n = Math.Min(buffer.Length, prefixLength - _offset);
            prefix.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
        return inner.Read(buffer);
    }
}
