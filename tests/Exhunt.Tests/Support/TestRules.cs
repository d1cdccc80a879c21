using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Tests.Support;

/// <summary>A minimal rule set for pipeline and report tests, independent of the built-in detections.</summary>
public static class TestRules
{
    public static readonly RuleInfo Marker = new("test-marker", "Request for a marked URL", Severity.High,
        ["CVE-2021-26855"], ["T1190"], "initial-access", Proves.Compromise);

    public static RuleSet Set()
    {
        var set = new RuleSet();
        set.LogRules.Add(new MarkerRule());
        return set;
    }

    /// <summary>Fires on any UrlStem containing "MARKED"; status 2xx = succeeded, else failed.</summary>
    private sealed class MarkerRule : ILogRule
    {
        public bool Handles(ArtifactKind kind) => kind is ArtifactKind.HttpProxy or ArtifactKind.Iis;

        public void Inspect(LogRecord r, ScanContext context)
        {
            if (!r[Field.UrlStem].Contains("MARKED", StringComparison.Ordinal)) return;
            context.Add(new Finding
            {
                Rule = Marker,
                Outcome = r[Field.Status].StartsWith("2") ? Outcome.Succeeded : Outcome.Failed,
                Time = r.Time,
                Artifact = r.File.RelativePath,
                Line = r.Line,
                ClientIp = r.Str(Field.ClientIp),
                UserAgent = r.Str(Field.UserAgent),
                User = r.Str(Field.User),
                Evidence = Finding.Clip(r[Field.UrlStem]),
            });
        }
    }
}

public static class SampleLogs
{
    public const string HttpProxyHeader =
        "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T02:00:00.000Z\r\n" +
        "#Fields: DateTime,RequestId,UrlStem,AuthenticatedUser,AnchorMailbox,UserAgent,ClientIpAddress,HttpStatus,Method,RoutingHint\r\n";

    public static string HttpProxyLine(string time, string stem, string ip, int status, string ua = "Mozilla/5.0") =>
        $"{time},{Guid.NewGuid()},{stem},,,{ua},{ip},{status},GET,\r\n";
}
