using System.Net;
using System.Net.Sockets;

namespace Exhunt.Story;

public static class IpAddresses
{
    /// <summary>Loopback, private (RFC 1918), link-local and unique-local addresses: hops inside the organisation.</summary>
    public static bool IsInternal(string text)
    {
        var first = text.Split([' ', ','], 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (first.StartsWith('['))
        {
            var close = first.IndexOf(']');
            first = first[1..(close > 0 ? close : first.Length)];
        }
        var pct = first.IndexOf('%');
        if (pct > 0) first = first[..pct];
        if (!IPAddress.TryParse(first, out var ip))
        {
            // a.b.c.d:port
            var colon = first.LastIndexOf(':');
            if (colon <= 0 || !IPAddress.TryParse(first[..colon], out ip)) return false;
        }
        if (IPAddress.IsLoopback(ip)) return true;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
        }
        return ip.IsIPv6LinkLocal || ip.IsIPv6UniqueLocal || ip.IsIPv6SiteLocal;
    }
}
