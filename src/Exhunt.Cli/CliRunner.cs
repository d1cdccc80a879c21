using System.CommandLine;
using Exhunt.Evidence;

namespace Exhunt.Cli;

/// <summary>Exit codes are part of the interface: 0 clean, 1 attempted/suspicious, 2 compromised, 3 inconclusive,
/// 64 usage, 66 input, 70 internal, 73 cannot create output.</summary>
public static class ExitCodes
{
    public const int Clean = 0, Attempted = 1, Compromised = 2, Inconclusive = 3, Usage = 64, InputMissing = 66, Internal = 70, CannotCreateOutput = 73;
}

public static class CliRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"exhunt: {error.Message}");
            Console.Error.WriteLine("Try 'exhunt --help'.");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (EvidenceUnreadableException e)
        {
            Console.Error.WriteLine($"exhunt: {e.Message}");
            return ExitCodes.InputMissing;
        }
        catch (OutputUnwritableException e)
        {
            Console.Error.WriteLine($"exhunt: {e.Message}");
            return ExitCodes.CannotCreateOutput;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"exhunt: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(InternalError(e, Environment.GetEnvironmentVariable(DebugVariable)));
            return ExitCodes.Internal;
        }
    }

    /// <summary>Set to 1 (or true) to get the stack trace of an internal error (exit 70).</summary>
    public const string DebugVariable = "EXHUNT_DEBUG";

    /// <summary>What exit 70 prints: one line naming the error, or the whole exception with its stack when
    /// <see cref="DebugVariable"/> is set. The message is made printable (it may carry evidence text).</summary>
    public static string InternalError(Exception e, string? debug)
    {
        if (debug is "1" || string.Equals(debug, "true", StringComparison.OrdinalIgnoreCase))
            return $"exhunt: internal error: {e}";
        var message = new string(e.Message.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return $"exhunt: internal error: {e.GetType().Name}: {message} (this is a bug in exhunt; set {DebugVariable}=1 for the stack trace)";
    }
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>An output file that cannot be created (exit 73, before anything is scanned).</summary>
public sealed class OutputUnwritableException(string message) : Exception(message);
