using System.Globalization;

namespace Exhunt.Exposure;

/// <summary>
/// An Exchange build number, 15.x.y.z. Parses the short (15.1.2176.2) and the zero-padded long form
/// (15.01.2176.002, as ExSetup.exe and log headers write it); a 3-part CU-level form (15.1.2176) has no revision.
/// Always compared as numbers, never as strings.
/// </summary>
public readonly record struct ExchangeBuild(int Major, int Minor, int Build, int Revision) : IComparable<ExchangeBuild>
{
    /// <summary>True when only major.minor.build are known (an owa\auth folder, a CU-level path).</summary>
    public bool CuOnly => Revision < 0;

    public static bool TryParse(ReadOnlySpan<char> text, out ExchangeBuild build)
    {
        build = default;
        text = text.Trim();
        Span<int> parts = stackalloc int[4];
        var count = 0;
        while (count < 4)
        {
            var dot = text.IndexOf('.');
            var part = dot < 0 ? text : text[..dot];
            if (part.Length is 0 or > 6 || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out parts[count])) return false;
            count++;
            if (dot < 0) { text = default; break; }
            text = text[(dot + 1)..];
        }
        if (!text.IsEmpty || count < 3) return false;
        build = new ExchangeBuild(parts[0], parts[1], parts[2], count == 4 ? parts[3] : -1);
        return true;
    }

    public static ExchangeBuild Parse(string text) =>
        TryParse(text, out var b) ? b : throw new FormatException($"'{text}' is not a build number like 15.1.2176.2");

    /// <summary>Exchange 2013 and later: 15.0, 15.1, 15.2.</summary>
    public bool IsExchange15 => Major == 15 && Minor is >= 0 and <= 2 && Build > 0;

    /// <summary>The product line: 2013, 2016, 2019 or SE (15.2 with build 2562 or later), or null.</summary>
    public string? Product => (Major, Minor) switch
    {
        (15, 0) => "2013",
        (15, 1) => "2016",
        (15, 2) => Build >= 2562 ? "SE" : "2019",
        _ => null,
    };

    /// <summary>Same CU (major.minor.build).</summary>
    public bool SameCu(ExchangeBuild other) => Major == other.Major && Minor == other.Minor && Build == other.Build;

    public ExchangeBuild WithRevision(int revision) => this with { Revision = revision };

    public int CompareTo(ExchangeBuild other)
    {
        var c = Major.CompareTo(other.Major);
        if (c == 0) c = Minor.CompareTo(other.Minor);
        if (c == 0) c = Build.CompareTo(other.Build);
        if (c == 0) c = Revision.CompareTo(other.Revision);
        return c;
    }

    public static bool operator <(ExchangeBuild a, ExchangeBuild b) => a.CompareTo(b) < 0;
    public static bool operator >(ExchangeBuild a, ExchangeBuild b) => a.CompareTo(b) > 0;
    public static bool operator <=(ExchangeBuild a, ExchangeBuild b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ExchangeBuild a, ExchangeBuild b) => a.CompareTo(b) >= 0;

    public override string ToString() => CuOnly ? $"{Major}.{Minor}.{Build}" : $"{Major}.{Minor}.{Build}.{Revision}";
}
