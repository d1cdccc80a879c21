using System.Buffers;
using System.Buffers.Binary;

namespace Exhunt.Readers.Evtx;

/// <summary>
/// Streams an .evtx file chunk by chunk (64 KiB at a time; the stream need not be seekable) and hands out each
/// parsed record. Damage is never fatal: a bad chunk is skipped with a reason, a bad record is counted in
/// <see cref="ReaderStats.Skipped"/> with a reason, and reading goes on.
/// </summary>
/// <remarks>
/// Checksum policy: a header, chunk-header or records checksum that does not match is reported in the stats and the
/// data is read anyway (every read is bounds-checked). Dirty files routinely carry stale checksums in the chunk
/// that was being written, and those records are often the most recent evidence.
/// Chunks are read for as long as the stream has data, not only as many as the file header counts; records past
/// a chunk's free-space offset or outside its header's record-id range, or in a chunk past the file header's count
/// (unless the file is flagged dirty and the chunk header is intact), are flagged as recovered. A torn last record (size copy zero) is read and flagged.
/// </remarks>
public static class EvtxFile
{
    public const int HeaderBlockSize = 4096;
    public static ReadOnlySpan<byte> Signature => "ElfFile\0"u8;

    /// <summary>Calls <paramref name="onRecord"/> for each record that parses; the record is valid only during the call.</summary>
    public static void ReadRecords(Stream stream, ReaderStats stats, Action<EvtxRecord> onRecord)
    {
        var header = new byte[HeaderBlockSize];
        var n = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (n < 128 || !header.AsSpan(0, 8).SequenceEqual(Signature))
        {
            stats.Error(n < 8 ? $"not an EVTX file: only {n} bytes" : "not an EVTX file: no 'ElfFile' signature in the file header");
            return;
        }
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(124));
        var computed = Crc32.Compute(header.AsSpan(0, 120));
        if (stored != computed)
            stats.Error($"file header checksum mismatch (stored 0x{stored:x8}, computed 0x{computed:x8}); chunks read anyway");
        if (n < HeaderBlockSize)
        {
            stats.Error($"file truncated: {n} bytes, shorter than the {HeaderBlockSize}-byte file header; no chunks");
            return;
        }
        // The header's next-record id is not used: dirty files leave it stale, and chunk headers declare their ranges.
        int headerChunks = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(42));
        // Flag 0x1 (dirty): the file was not closed cleanly, so its header's chunk count is stale by design.
        var dirty = (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(120)) & 1) != 0;

        var buffer = ArrayPool<byte>.Shared.Rent(EvtxChunk.Size);
        try
        {
            var chunk = new EvtxChunk(buffer);
            for (var index = 0; ; index++)
            {
                var read = stream.ReadAtLeast(buffer.AsSpan(0, EvtxChunk.Size), EvtxChunk.Size, throwOnEndOfStream: false);
                if (read == 0) break;
                if (read < EvtxChunk.Size)
                {
                    stats.Error($"file truncated: chunk {index} has {read} of {EvtxChunk.Size} bytes; reading what is there");
                    buffer.AsSpan(read, EvtxChunk.Size - read).Clear();
                    if (read < EvtxChunk.HeaderSize) break;
                }
                chunk.Reset(index);
                ReadChunk(chunk, stats, index >= headerChunks, dirty, onRecord);
                if (read < EvtxChunk.Size) break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A record header at <paramref name="offset"/>: signature, a size that fits the chunk, and the size copy at its end.</summary>
    private static bool IsRecordAt(byte[] buf, int offset) => RecordAt(buf, offset) == RecordShape.Whole;

    private enum RecordShape { None, Whole, Torn }

    /// <summary>
    /// Whole: signature, a size that fits the chunk, the size copy at its end. Torn: the same, but the size copy reads
    /// zero, as in a record still being written when the file was copied.
    /// </summary>
    private static RecordShape RecordAt(byte[] buf, int offset)
    {
        if (offset + 28 > EvtxChunk.Size || BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(offset)) != 0x00002A2A) return RecordShape.None;
        var size = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(offset + 4));
        if (size < 28 || size > EvtxChunk.Size - offset) return RecordShape.None;
        var copy = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(offset + (int)size - 4));
        return copy == size ? RecordShape.Whole : copy == 0 ? RecordShape.Torn : RecordShape.None;
    }

    private static void ReadChunk(EvtxChunk chunk, ReaderStats stats, bool beyondHeader, bool dirty, Action<EvtxRecord> onRecord)
    {
        var i = chunk.Index;
        if (!chunk.HasSignature)
        {
            if (!chunk.IsAllZero) stats.Error($"chunk {i}: no 'ElfChnk' signature; chunk skipped");
            return;
        }
        var headerIntact = chunk.ComputeHeaderChecksum() == chunk.HeaderChecksum;
        if (!headerIntact)
            stats.Error($"chunk {i}: header checksum mismatch; records read anyway");
        var free = chunk.FreeSpaceOffset;
        var limit = free is >= EvtxChunk.HeaderSize and <= EvtxChunk.Size ? (int)free : EvtxChunk.Size;
        if (limit != free)
            stats.Error($"chunk {i}: free-space offset 0x{free:x} is outside the chunk; records read up to the chunk end");
        else if (Crc32.Compute(chunk.Buffer.AsSpan(EvtxChunk.HeaderSize, limit - EvtxChunk.HeaderSize)) != chunk.RecordsChecksum)
            stats.Error($"chunk {i}: records checksum mismatch; records read anyway");
        // A chunk past the file header's count is beyond the file's declared range, unless the header is flagged
        // dirty (not closed cleanly, so its count is stale) and the chunk's own header is intact: then it declares
        // itself, as Windows, python-evtx and the evtx crate all read it.
        var chunkUndeclared = beyondHeader && !(dirty && headerIntact);
        ulong first = chunk.FirstRecordId, last = chunk.LastRecordId;

        var buf = chunk.Buffer;
        var offset = EvtxChunk.HeaderSize;
        ulong? previous = null;
        while (offset + 28 <= EvtxChunk.Size)
        {
            var beyondFree = offset >= limit;
            var shape = RecordAt(buf, offset);
            var torn = false;
            if (shape == RecordShape.Torn)
            {
                // Taken only where a record belongs: the next id in sequence, or the chunk's first.
                var tornId = BinaryPrimitives.ReadUInt64LittleEndian(buf.AsSpan(offset + 8));
                torn = previous is { } p ? tornId == p + 1 : tornId == first || (first <= tornId && tornId <= last && headerIntact);
            }
            if (shape == RecordShape.None || (shape == RecordShape.Torn && !torn))
            {
                if (beyondFree) break;
                // Damaged record header: resynchronise on the next valid record (records are 8-byte aligned).
                var next = offset + 8 - (offset & 7);
                while (next + 28 <= limit && !IsRecordAt(buf, next)) next += 8;
                var found = next + 28 <= limit;
                var nextId = found ? BinaryPrimitives.ReadUInt64LittleEndian(buf.AsSpan(next + 8)) : last + 1;
                var before = previous ?? (first > 0 ? first - 1 : 0);
                var lost = nextId > before + 1 && nextId - before - 1 < 10000 ? (long)(nextId - before - 1) : 1;
                stats.Skipped += lost;
                var zeros = buf.AsSpan(offset, (found ? next : limit) - offset).IndexOfAnyExcept((byte)0) < 0;
                var what = zeros
                    ? $"chunk {i}: bytes 0x{offset:x}..0x{(found ? next : limit):x} are zero (never written or wiped)"
                    : $"chunk {i}: no valid event record at offset 0x{offset:x} (signature, size or size copy wrong)";
                stats.Error(found
                    ? $"{what}; {lost} record(s) skipped up to offset 0x{next:x}"
                    : $"{what}; rest of chunk skipped ({lost} record(s) by the chunk header)");
                if (!found) break;
                offset = next;
                continue;
            }
            var size = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(offset + 4));
            var id = BinaryPrimitives.ReadUInt64LittleEndian(buf.AsSpan(offset + 8));
            // Past the free-space offset only a record that continues the sequence is taken (slack, not noise).
            if (beyondFree && (previous is null || id != previous + 1)) break;

            EvtxRecord? record = null;
            try
            {
                var written = EvtxValues.TryFileTime(BinaryPrimitives.ReadInt64LittleEndian(buf.AsSpan(offset + 16)), out var t) ? t : (DateTime?)null;
                var nodes = BinXmlParser.ParseDocument(chunk, offset + 24, offset + (int)size - 4);
                var outsideChunkRange = headerIntact && (id < first || id > last);
                record = new EvtxRecord(chunk, id, written, nodes, beyondFree || chunkUndeclared || outsideChunkRange, torn);
            }
            catch (Exception e) when (e is EvtxFormatException or ArgumentException or IndexOutOfRangeException)
            {
                stats.Skip($"{(torn ? "torn " : "")}record {id} (chunk {i}, offset 0x{offset:x}): {e.Message}");
            }
            if (record is not null)
            {
                if (torn)
                    stats.Error($"record {id} (chunk {i}, offset 0x{offset:x}) is torn: its trailing size copy is zero (being written when copied); read from its header's size ({size} bytes) and marked torn");
                onRecord(record);
            }
            previous = id;
            offset += (int)size;
        }
    }
}
