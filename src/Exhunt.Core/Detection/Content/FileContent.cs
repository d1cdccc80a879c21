using System.Buffers;
using System.Security.Cryptography;
using Exhunt.Evidence;

namespace Exhunt.Detection.Content;

/// <summary>
/// What the file rules get from the one read of a file: the head (classification bytes), the SHA-256 of the whole
/// file, and — when a rule asked for it — the first <see cref="Bytes"/> of the file up to <see cref="MaxBytes"/>.
/// The buffer is pooled: rules read it during <see cref="IFileRule.Inspect"/> and keep nothing of it.
/// </summary>
public sealed class FileContent : IDisposable
{
    /// <summary>The most of one file a content rule sees (8 MiB). Pages are far smaller; a larger file is judged
    /// on its first 8 MiB and the finding says so (<see cref="Truncated"/>). The hash always covers the whole file.</summary>
    public const int MaxBytes = 8 << 20;

    private byte[]? _pooled;
    private readonly int _length;

    internal FileContent(ReadOnlyMemory<byte> head, string? sha256, byte[]? pooled, int length, long fileLength)
    {
        Head = head;
        Sha256 = sha256;
        _pooled = pooled;
        _length = length;
        FileLength = fileLength;
    }

    public ReadOnlyMemory<byte> Head { get; }
    public string? Sha256 { get; }
    public long FileLength { get; }

    /// <summary>The file's first bytes as far as the rules asked (at least the head).</summary>
    public ReadOnlySpan<byte> Bytes => _pooled is null ? Head.Span : _pooled.AsSpan(0, _length);

    /// <summary>True when <see cref="Bytes"/> stops before the end of the file.</summary>
    public bool Truncated => Bytes.Length < FileLength;

    /// <summary>For tests and tools: content held in memory.</summary>
    public static FileContent FromBytes(byte[] bytes, string? sha256 = null)
    {
        var head = bytes.AsMemory(0, Math.Min(bytes.Length, ArtifactClassifier.SniffBytes));
        var pooled = ArrayPool<byte>.Shared.Rent(Math.Max(1, Math.Min(bytes.Length, MaxBytes)));
        var n = Math.Min(bytes.Length, MaxBytes);
        bytes.AsSpan(0, n).CopyTo(pooled);
        return new FileContent(head, sha256 ?? Convert.ToHexStringLower(SHA256.HashData(bytes)), pooled, n, bytes.Length);
    }

    public void Dispose()
    {
        if (_pooled is { } p) { _pooled = null; ArrayPool<byte>.Shared.Return(p); }
    }
}

/// <summary>The single read of a non-log file: hashes while reading and keeps what the rules asked for.</summary>
public static class FileContentReader
{
    /// <summary>
    /// Continues <paramref name="stream"/>, which has already yielded <paramref name="head"/> from its start, to the end.
    /// </summary>
    public static FileContent Read(EvidenceFile file, Stream stream, byte[] head, IEnumerable<IFileRule> rules)
    {
        var wanted = 0;
        foreach (var rule in rules)
            if (rule.Handles(file.Kind)) wanted = Math.Max(wanted, rule.ContentWanted(file, head));
        wanted = (int)Math.Min(Math.Min(wanted, FileContent.MaxBytes), Math.Max(file.Length, head.Length));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(head);
        byte[]? keep = null;
        var kept = 0;
        if (wanted > head.Length)
        {
            keep = ArrayPool<byte>.Shared.Rent(wanted);
            head.CopyTo(keep, 0);
            kept = head.Length;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                if (keep is not null && kept < wanted)
                {
                    var take = Math.Min(n, wanted - kept);
                    Buffer.BlockCopy(buffer, 0, keep, kept, take);
                    kept += take;
                }
            }
        }
        catch
        {
            if (keep is not null) ArrayPool<byte>.Shared.Return(keep);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var length = Math.Max(file.Length, kept);
        return new FileContent(head, Convert.ToHexStringLower(hash.GetHashAndReset()), keep, keep is null ? head.Length : kept, length);
    }
}
