namespace Exhunt.Findings;

/// <summary>What a detection is: stable id, title, severity, CVEs and ATT&amp;CK mapping.</summary>
/// <param name="Implies">What a hit proves for the verdict (see <see cref="Proves"/>).</param>
/// <param name="WithExploitation">What it proves once exploitation is evidenced elsewhere (an LSASS dump next to a
/// successful SSRF is compromise; alone it is context, because admins and crash handlers make dumps too).</param>
public sealed record RuleInfo(
    string Id,
    string Title,
    Severity Severity,
    string[] Cves,
    string[] Attack,
    string Tactic,
    Proves Implies,
    Proves? WithExploitation = null);

/// <summary>How strongly a finding speaks for compromise; the verdict is built from these.</summary>
public enum Proves
{
    /// <summary>Context only (coverage, archives, dumps without exploitation); never raises the verdict alone.</summary>
    Context,
    /// <summary>A weaker signal: odd, worth a look, not exploitation by itself.</summary>
    Weak,
    /// <summary>Exploitation was tried; a failed outcome keeps it an attempt.</summary>
    Attempt,
    /// <summary>Exploitation succeeded or its after-effects are present (shell written/used, dump, export to web path).</summary>
    Compromise,
}
