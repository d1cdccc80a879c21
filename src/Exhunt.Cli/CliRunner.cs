using System.CommandLine;
using Exhunt.Evidence;

namespace Exhunt.Cli;

/// <summary>Exit codes are part of the interface: 0 clean, 1 attempted/suspicious, 2 compromised, 64 usage, 66 input, 70 internal.</summary>
public static class ExitCodes
{
    public const int Clean = 0, Usage = 64, InputMissing = 66, Internal = 70;
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
        catch (UsageException e)
        {
            Console.Error.WriteLine($"exhunt: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"exhunt: internal error: {e}");
            return ExitCodes.Internal;
        }
    }
}

public sealed class UsageException(string message) : Exception(message);
