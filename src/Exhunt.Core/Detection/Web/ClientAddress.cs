using System.Net;
using System.Net.Sockets;

namespace Exhunt.Detection.Web;

/// <summary>Reads a logged client address (IPv4, IPv6, bracketed, with a port or zone, first of a list) and says
/// whether it is inside the organisation (loopback, RFC 1918, link-local, unique-local) or public.</summary>
internal static class ClientAddress
{
    /// <summary>True only for an address that parses and is public; empty or unreadable text is not "external".</summary>
    public static bool IsExternal(ReadOnlySpan<char> text) =>
        TryParse(text, out var ip) && !IsPrivate(ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any);

    /// <summary>True only for an address that parses and is loopback or private.</summary>
    public static bool IsInternal(ReadOnlySpan<char> text) => TryParse(text, out var ip) && IsPrivate(ip);

    public static bool TryParse(ReadOnlySpan<char> text, out IPAddress ip)
    {
        var s = text.Trim();
        var cut = s.IndexOfAny(' ', ',');
        if (cut >= 0) s = s[..cut];
        if (s.Length > 0 && s[0] == '[')
        {
            var close = s.IndexOf(']');
            s = close > 0 ? s[1..close] : s[1..];
        }
        var zone = s.IndexOf('%');
        if (zone > 0) s = s[..zone];
        if (IPAddress.TryParse(s, out ip!)) return true;
        var colon = s.LastIndexOf(':');
        return colon > 0 && IPAddress.TryParse(s[..colon], out ip!);
    }

    private static bool IsPrivate(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip)) return true;
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
        }
        return ip.IsIPv6LinkLocal || ip.IsIPv6UniqueLocal || ip.IsIPv6SiteLocal;
    }
}
