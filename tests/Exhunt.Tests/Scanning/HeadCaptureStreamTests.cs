using Exhunt.Scanning;
using Xunit;

namespace Exhunt.Tests.Scanning;

public class HeadCaptureStreamTests
{
    private static byte[] Bytes(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7 + 3)).ToArray();

    [Theory]
    [InlineData(100_000, 16 * 1024, 1000)]
    [InlineData(100_000, 16 * 1024, 64 * 1024)]
    [InlineData(16 * 1024, 16 * 1024, 333)]
    [InlineData(500, 16 * 1024, 64)]
    [InlineData(0, 16 * 1024, 64)]
    public void Keeps_exactly_the_first_bytes_read_in_any_chunking(int length, int capacity, int chunk)
    {
        var data = Bytes(length);
        using var s = new HeadCaptureStream(new MemoryStream(data, writable: false), capacity);
        var read = new MemoryStream();
        var buf = new byte[chunk];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0) read.Write(buf, 0, n);

        Assert.Equal(data, read.ToArray());
        Assert.True(s.HeadComplete);
        Assert.Equal(data.AsSpan(0, Math.Min(length, capacity)).ToArray(), s.Head.ToArray());
    }

    [Fact]
    public void A_head_not_read_to_its_end_is_not_complete()
    {
        using var s = new HeadCaptureStream(new MemoryStream(Bytes(100_000), writable: false), 16 * 1024);
        var buf = new byte[4096];
        Assert.Equal(4096, s.Read(buf));
        Assert.False(s.HeadComplete);
        Assert.Equal(Bytes(4096), s.Head.ToArray());
    }
}
