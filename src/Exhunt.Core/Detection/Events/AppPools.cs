using Exhunt.Findings;

namespace Exhunt.Detection.Events;

/// <summary>Whose IIS worker it was: an Exchange app pool, another web app's pool, or not logged.</summary>
internal enum AppPoolKind { Exchange, Other, Unknown }

internal readonly record struct AppPool(AppPoolKind Kind, string? Name);

/// <summary>
/// The app pool of a w3wp, from its command line (<c>-ap "MSExchangeOWAAppPool"</c>, Sysmon's ParentCommandLine) or
/// else from the pool identity the process ran as (<c>IIS APPPOOL\DefaultAppPool</c>). Security 4688 logs neither
/// for Exchange's pools (they run as LocalSystem), so such a hit stays <see cref="AppPoolKind.Unknown"/>.
/// </summary>
internal static class AppPools
{
    private static readonly string[] Prefixes = EventIndicators.Get("exchangeAppPoolPrefixes");
    private static readonly string[] Suffixes = EventIndicators.Get("exchangeAppPoolSuffixes");
    private static readonly string[] IdentityDomains = EventIndicators.Get("appPoolIdentityDomain");

    /// <param name="workerCommandLine">The w3wp's own command line (the parent's, for a child it started).</param>
    /// <param name="user">The account the process ran as.</param>
    public static AppPool Of(string? workerCommandLine, string? user)
    {
        var name = workerCommandLine is null ? null : CmdletCall.ParamValue(workerCommandLine, "ap")?.Trim();
        if (string.IsNullOrEmpty(name)) name = FromIdentity(user);
        if (string.IsNullOrEmpty(name)) return new AppPool(AppPoolKind.Unknown, null);
        return new AppPool(IsExchange(name) ? AppPoolKind.Exchange : AppPoolKind.Other, name);
    }

    public static bool IsExchange(string pool)
    {
        var prefix = false;
        foreach (var p in Prefixes) prefix |= pool.StartsWith(p, StringComparison.OrdinalIgnoreCase);
        if (!prefix) return false;
        foreach (var s in Suffixes)
            if (pool.EndsWith(s, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static string? FromIdentity(string? user)
    {
        if (user is null) return null;
        foreach (var d in IdentityDomains)
            if (user.StartsWith(d, StringComparison.OrdinalIgnoreCase) && user.Length > d.Length) return user[d.Length..];
        return null;
    }
}

/// <summary>
/// One web-shell process rule as three verdict weights: on an Exchange app pool's worker it is compromise; on another
/// web app's pool it is a web shell, but not on Exchange (weak, high); with the pool not logged it is weak alone and
/// compromise once exploitation is evidenced on the same host (the verdict scopes that by host and time).
/// </summary>
internal sealed class WebShellRuleInfos(RuleInfo exchange, string otherTitle, string unknownTitle)
{
    public RuleInfo Exchange { get; } = exchange;

    public RuleInfo OtherApp { get; } = exchange with
    {
        Id = exchange.Id + "-non-exchange", Title = otherTitle, Severity = Severity.High, Cves = [], Implies = Proves.Weak, WithExploitation = null,
    };

    public RuleInfo UnknownPool { get; } = exchange with
    {
        Id = exchange.Id + "-unknown-pool", Title = unknownTitle, Severity = Severity.High, Implies = Proves.Weak, WithExploitation = Proves.Compromise,
    };

    public RuleInfo For(AppPoolKind kind) => kind switch
    {
        AppPoolKind.Exchange => Exchange,
        AppPoolKind.Other => OtherApp,
        _ => UnknownPool,
    };
}
