namespace Exhunt.Story;

public static class IpAddresses
{
    /// <summary>Loopback, private (RFC 1918), link-local and unique-local addresses: hops inside the organisation.</summary>
    public static bool IsInternal(string text) => Detection.Web.ClientAddress.IsInternal(text);
}
