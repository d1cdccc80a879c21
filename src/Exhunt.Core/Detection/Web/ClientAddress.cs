using System.Net;

namespace Exhunt.Detection.Web;

/// <summary>Whether a logged client address is a public one (not loopback, RFC 1918, link-local or unique-local).</summary>
internal static class ClientAddress
{
    /// <summary>True only for an address that parses and is public; empty or unreadable text is not "external".</summary>
    public static bool IsExternal(ReadOnlySpan<char> text)
    {
        var s = text.Trim();
        var cut = s.IndexOfAny(' ', ',');
        if (cut >= 0) s = s[..cut];
        if (s.Length > 0 && s[0] == '[')
        {
            var close = s.IndexOf(']');
            s = close > 0 ? s[1..close] : s[1..];
        }
        if (!IPAddress.TryParse(s, out var ip))
        {
            var colon = s.LastIndexOf(':');
            if (colon <= 0 || !IPAddress.TryParse(s[..colon], out ip)) return false;
        }
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) return false;
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return !(b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254));
        }
        return !(ip.IsIPv6LinkLocal || ip.IsIPv6UniqueLocal || ip.IsIPv6SiteLocal);
    }
}
