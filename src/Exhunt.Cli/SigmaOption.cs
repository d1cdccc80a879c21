using System.CommandLine;
using Exhunt.Detection;
using Exhunt.Detection.Sigma;

namespace Exhunt.Cli;

/// <summary>
/// <c>--sigma PATH</c> (repeatable) and the <c>EXHUNT_SIGMA</c> environment variable (paths separated by the platform's
/// path separator): Sigma rules loaded next to the built-in ones. The load account (loaded, rejected with reasons,
/// unsupported log source) goes to stderr so stdout JSON stays clean.
/// </summary>
public static class SigmaOption
{
    public const string EnvironmentVariable = "EXHUNT_SIGMA";
    private const int MaxRejectsShown = 20;

    public static Option<string[]> Create() => new("--sigma")
    {
        Description = $"Also run the Sigma rules in this file or folder (repeatable; also {EnvironmentVariable})",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The paths from the option and the environment, in that order.</summary>
    public static IReadOnlyList<string> Paths(string[]? fromOption)
    {
        var paths = new List<string>(fromOption ?? []);
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env)
            paths.AddRange(env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return paths;
    }

    /// <summary>The built-in rules plus the Sigma rules under <paramref name="paths"/> (the built-in set alone when none).</summary>
    public static RuleSet Rules(IReadOnlyList<string> paths, TextWriter log)
    {
        var rules = RuleSet.BuiltIn();
        if (paths.Count == 0) return rules;
        foreach (var p in paths)
            if (!File.Exists(p) && !Directory.Exists(p))
                throw new UsageException($"--sigma: '{p}' does not exist");
        var sigma = SigmaLoader.Load(paths);
        var r = sigma.Report;
        log.WriteLine($"exhunt: Sigma: {r.Loaded} rules loaded, {r.Rejected.Count} rejected, {r.UnsupportedLogSource} with a log source exhunt does not read, {r.Filters} filters applied, {r.Correlations} correlation rules among the loaded");
        foreach (var x in r.Rejected.Take(MaxRejectsShown))
            log.WriteLine($"exhunt: Sigma rejected {Printable(x.Path)}: {Printable(x.Reason)}");
        if (r.Rejected.Count > MaxRejectsShown)
            log.WriteLine($"exhunt: Sigma: {r.Rejected.Count - MaxRejectsShown} more rejected (exhunt rules lint PATH lists them all)");
        if (sigma.WebRulesEveryLine > 0)
            log.WriteLine($"exhunt: Sigma: {sigma.WebRulesEveryLine} of {sigma.WebRuleCount} webserver rules name no literal a log line must hold; they read every web-log line");
        return sigma.AddTo(rules);
    }

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
