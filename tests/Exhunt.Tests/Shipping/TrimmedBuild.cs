using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Exhunt.Tests.Shipping;

/// <summary>
/// Publishes the trimmed self-contained single-file linux-x64 build once per test run (README "Install"), into a temp
/// folder. ReadyToRun is left off here: it only precompiles the same IL (the shipped build has it), and it doubles the
/// publish time; trimming is what can lose code. When the runtime pack or the trimmer cannot be restored (offline),
/// or this is not linux-x64, the tests skip with that reason.
/// </summary>
public sealed class TrimmedBuild : IDisposable
{
    public string? Executable { get; }
    public string? SkipReason { get; }
    public TimeSpan PublishTime { get; }
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "exhunt-trimmed-" + Guid.NewGuid().ToString("N")[..8]);

    public TrimmedBuild()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            SkipReason = $"the trimmed linux-x64 build is published and run only on linux-x64 (this is {RuntimeInformation.RuntimeIdentifier})";
            return;
        }
        var project = FindCliProject();
        if (project is null)
        {
            SkipReason = "src/Exhunt.Cli/Exhunt.Cli.csproj not found above the test binaries (not run from a checkout)";
            return;
        }
        var output = Path.Combine(_dir, "out");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained",
                     "-p:PublishSingleFile=true", "-p:PublishTrimmed=true", "-p:PublishReadyToRun=false",
                     "-o", output, "--disable-build-servers", "-nologo", "-v", "q" })
            psi.ArgumentList.Add(a);
        // The test host's MSBuild settings must not steer the inner build.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(12)))
        {
            p.Kill(true);
            throw new TimeoutException("dotnet publish of the trimmed build did not finish in 12 minutes");
        }
        PublishTime = clock.Elapsed;
        var log = stdout.Result + stderr.Result;
        if (p.ExitCode != 0)
        {
            // Restore failures (no runtime pack, no ILLink package offline) skip; anything else is a real failure.
            if (new[] { "NU1101", "NU1102", "NU1301", "NETSDK1094", "NETSDK1083", "Unable to load the service index" }.Any(log.Contains))
            {
                SkipReason = "the trimmed build could not be restored here (runtime pack or ILLink package unavailable): " + Tail(log);
                return;
            }
            throw new InvalidOperationException($"dotnet publish of the trimmed build failed ({p.ExitCode}):\n{Tail(log, 4000)}");
        }
        Executable = Path.Combine(output, "exhunt");
        if (!File.Exists(Executable)) throw new InvalidOperationException($"publish gave no {Executable}:\n{Tail(log, 4000)}");
        var trimWarnings = log.Split('\n').Where(l => l.Contains("warning IL", StringComparison.Ordinal)).Distinct().ToList();
        if (trimWarnings.Count > 0) throw new InvalidOperationException("the trimmed build has trim/AOT warnings:\n" + string.Join("\n", trimWarnings));
    }

    /// <summary>Runs the published executable.</summary>
    public Support.CliProcess.Result Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Executable!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(180_000)) { p.Kill(true); throw new TimeoutException("the trimmed exhunt did not finish in 180 s"); }
        return new Support.CliProcess.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? FindCliProject()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Exhunt.Cli", "Exhunt.Cli.csproj");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string Tail(string text, int max = 600) => text.Length <= max ? text.Trim() : "…" + text[^max..].Trim();

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
