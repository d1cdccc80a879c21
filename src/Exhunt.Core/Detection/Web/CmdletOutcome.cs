using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>Whether a logged cmdlet ran: ECP's <c>S:EX</c> (the exception, empty when none), Rps's ExecutionResult/ErrorType.</summary>
internal static class CmdletOutcome
{
    public static Outcome Of(LogRecord record)
    {
        if (record.Kind is ArtifactKind.EcpServer or ArtifactKind.EcpActivity)
        {
            if (!EcpBagReader.TryFind(record[Field.EventData], "EX", out var ex, out _)) return Outcome.Unknown;
            return ex.Trim().IsEmpty ? Outcome.Succeeded : Outcome.Failed;
        }
        var error = record[Field.ErrorType];
        if (!error.IsEmpty) return Outcome.Failed;
        var result = record[Field.ExecutionResult];
        if (result.IsEmpty) return Outcome.Unknown;
        if (WebText.Has(result, "Success")) return Outcome.Succeeded;
        if (WebText.Has(result, "Error") || WebText.Has(result, "Fail")) return Outcome.Failed;
        return Outcome.Unknown;
    }
}
