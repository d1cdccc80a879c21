using System.Globalization;

namespace Exhunt.Readers;

/// <summary>Allocation-free timestamp parsing for the shapes Exchange and IIS write; everything is UTC.</summary>
public static class Timestamps
{
    /// <summary>ISO-8601 as Exchange writes it: <c>2021-03-07T15:04:04.546Z</c> (fraction and Z optional).</summary>
    public static bool TryParseIso(ReadOnlySpan<char> s, out DateTime utc)
    {
        utc = default;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
            return Fallback(s, out utc);
        if (!Digits(s, 0, 4, out var y) || !Digits(s, 5, 2, out var mo) || !Digits(s, 8, 2, out var d)
            || !Digits(s, 11, 2, out var h) || !Digits(s, 14, 2, out var mi) || !Digits(s, 17, 2, out var sec))
            return false;
        long ticks = 0;
        var i = 19;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var scale = TimeSpan.TicksPerSecond / 10;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                ticks += (s[i] - '0') * scale;
                scale /= 10;
                i++;
            }
        }
        if (i < s.Length && s[i] != 'Z') return Fallback(s, out utc);
        if (y < 1 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return false;
        utc = new DateTime(y, mo, d, h, mi, sec, DateTimeKind.Utc).AddTicks(ticks);
        return true;
    }

    /// <summary>IIS W3C <c>date</c> and <c>time</c> columns (UTC by definition).</summary>
    public static bool TryParseW3c(ReadOnlySpan<char> date, ReadOnlySpan<char> time, out DateTime utc)
    {
        utc = default;
        if (date.Length != 10 || time.Length < 8) return false;
        Span<char> buf = stackalloc char[19];
        date.CopyTo(buf);
        buf[10] = 'T';
        time[..8].CopyTo(buf[11..]);
        return TryParseIso(buf, out utc);
    }

    /// <summary>
    /// Other ISO-8601 spellings (an offset, 7 fraction digits, no seconds), and only those: the text must start with
    /// a full <c>yyyy-MM-dd</c> date. A lenient parse would take any scrap of text for a time ("Z2-5" for 5 February).
    /// </summary>
    private static bool Fallback(ReadOnlySpan<char> s, out DateTime utc)
    {
        utc = default;
        if (s.Length < 10 || s.Length > 40 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, out _) || !Digits(s, 5, 2, out _) || !Digits(s, 8, 2, out _))
            return false;
        if (s.Length > 10 && s[10] != 'T' && s[10] != ' ') return false;
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dto)) return false;
        utc = dto.UtcDateTime;
        return true;
    }

    /// <summary>Earliest time a log record is believed: nothing exhunt reads (Exchange 2013 and later) wrote before 2012.</summary>
    public static readonly DateTime PlausibleFrom = new(2012, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Whether a record time can be real: from 2012 up to the scan (now, plus a day for a clock running ahead). A junk
    /// line or a wrong clock must not stretch the coverage window a clean verdict speaks for.
    /// </summary>
    public static bool IsPlausible(DateTime utc) => utc >= PlausibleFrom && utc <= PlausibleUntil;

    private static readonly DateTime PlausibleUntil = DateTime.UtcNow.AddDays(1);

    private static bool Digits(ReadOnlySpan<char> s, int at, int count, out int value)
    {
        value = 0;
        for (var i = at; i < at + count; i++)
        {
            var c = s[i];
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    public static string ToIso(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
