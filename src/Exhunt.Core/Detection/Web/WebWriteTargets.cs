using Exhunt.Data;

namespace Exhunt.Detection.Web;

/// <summary>Whether a path written by Exchange lands where IIS would run it (Data/web/web-write-targets.txt).</summary>
internal static class WebWriteTargets
{
    private static readonly string[] Extensions;
    private static readonly string[] Folders;

    static WebWriteTargets()
    {
        var lines = DataFiles.ReadLines("web/web-write-targets.txt").ToArray();
        Extensions = lines.Where(l => l.StartsWith("ext:", StringComparison.Ordinal)).Select(l => l[4..]).ToArray();
        Folders = lines.Where(l => l.StartsWith("dir:", StringComparison.Ordinal)).Select(l => l[4..]).ToArray();
    }

    /// <summary>A page extension or a served folder.</summary>
    public static bool IsWebTarget(string path)
    {
        var p = path.Trim().TrimEnd('\'', '"');
        foreach (var e in Extensions) if (p.EndsWith(e, StringComparison.OrdinalIgnoreCase)) return true;
        var back = p.Replace('/', '\\');
        foreach (var d in Folders) if (back.Contains(d, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>A UNC path to this machine: <c>\\localhost\...</c>, <c>\\127.x.x.x\...</c>, <c>\\[::1]\...</c>.</summary>
    public static bool IsLoopbackShare(string path)
    {
        var p = path.Trim().Replace('/', '\\');
        if (!p.StartsWith(@"\\", StringComparison.Ordinal)) return false;
        var host = p.AsSpan(2);
        var slash = host.IndexOf('\\');
        if (slash <= 0) return false;
        var name = host[..slash];
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.StartsWith("127.") || name is "[::1]" or "::1";
    }

    /// <summary>
    /// A UNC path back into a server's own disk (<c>\\localhost\c$</c>, <c>\\127.0.0.1\c$</c>, any <c>\\host\x$</c>
    /// admin share): the ProxyShell way of giving a local path to a cmdlet that wants UNC.
    /// </summary>
    public static bool IsAdminShare(string path)
    {
        if (IsLoopbackShare(path)) return true;
        var p = path.Trim().Replace('/', '\\');
        if (!p.StartsWith(@"\\", StringComparison.Ordinal)) return false;
        var parts = p[2..].Split('\\', 3);
        return parts.Length >= 2 && parts[1].Length == 2 && parts[1][1] == '$' && char.IsAsciiLetter(parts[1][0]);
    }
}
