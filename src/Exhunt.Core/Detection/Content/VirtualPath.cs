using Exhunt.Evidence;

namespace Exhunt.Detection.Content;

/// <summary>
/// The URL a collected page is served at, from where it lies: Exchange serves FrontEnd\HttpProxy\&lt;vdir&gt;\… and
/// ClientAccess\&lt;vdir&gt;\… as /&lt;vdir&gt;/… (OWA, ECP, OAB, EWS …) and inetpub\wwwroot\… as /…. Null when the place
/// says nothing (a plain folder of pages, ProgramData): the caller then matches requests by file name only.
/// </summary>
public static class VirtualPath
{
    public static string? Of(string relativePath)
    {
        var segs = EvidencePath.Segments(EvidencePath.Normalise(relativePath));
        for (var i = segs.Length - 2; i >= 0; i--)
        {
            if (segs[i] is "httpproxy" or "clientaccess" && i + 2 < segs.Length)
                return "/" + string.Join('/', segs[(i + 1)..]);
            if (segs[i] == "wwwroot" && i + 1 < segs.Length)
                return "/" + string.Join('/', segs[(i + 1)..]);
        }
        return null;
    }
}
