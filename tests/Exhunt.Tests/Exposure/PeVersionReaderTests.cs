using Exhunt.Exposure;

namespace Exhunt.Tests.Exposure;

public class PeVersionReaderTests
{
    [Fact]
    public void Reads_the_version_resource_of_a_minimal_pe()
    {
        var info = PeVersionReader.Read(new MemoryStream(PeFixture.Build(15, 1, 2176, 2)), out var why);
        Assert.True(info is not null, why);
        Assert.Equal("15.1.2176.2", info!.FileVersion.ToString());
        Assert.Equal("15.1.2176.2", info.ProductVersion.ToString());
        Assert.Equal("Microsoft® Exchange", info.ProductName);
        Assert.Equal("15.01.2176.002", info.FileVersionText);
    }

    [Fact]
    public void Reads_from_a_stream_that_cannot_seek()
    {
        var info = PeVersionReader.Read(new NonSeekable(PeFixture.Build(15, 2, 1544, 14)), out var why);
        Assert.True(info is not null, why);
        Assert.Equal("15.2.1544.14", info!.FileVersion.ToString());
    }

    [SkippableFact]
    public void Reads_a_real_non_exchange_pe_from_the_dotnet_install()
    {
        var root = Path.GetDirectoryName(typeof(object).Assembly.Location);
        var dll = root is null ? null : Path.Combine(root, "System.Private.CoreLib.dll");
        Skip.If(dll is null || !File.Exists(dll), "System.Private.CoreLib.dll not found beside the runtime");
        using var s = File.OpenRead(dll!);
        var info = PeVersionReader.Read(s, out var why);
        Assert.True(info is not null, why);
        Assert.Equal(Environment.Version.Major, info!.FileVersion.Major);
        Assert.False(info.FileVersion.IsExchange15);
        Assert.DoesNotContain("Exchange", info.ProductName ?? "");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(64)]
    [InlineData(0x1FF)]
    [InlineData(0x210)]
    [InlineData(0x260)]
    public void Truncated_or_garbled_images_give_no_version_and_no_exception(int keep)
    {
        var image = PeFixture.Build(15, 1, 2176, 2);
        var cut = image[..Math.Min(keep, image.Length)];
        Assert.Null(PeVersionReader.Read(new MemoryStream(cut), out var why));
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void Random_bytes_after_an_mz_header_give_no_version()
    {
        var rng = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var image = PeFixture.Build(15, 1, 2176, 2);
            for (var j = 0; j < 8; j++) image[rng.Next(0x80, image.Length)] = (byte)rng.Next(256);
            var info = PeVersionReader.Read(new MemoryStream(image), out _);   // must not throw
            if (info is not null) Assert.True(info.FileVersion.Major >= 0);
        }
    }

    private sealed class NonSeekable(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
