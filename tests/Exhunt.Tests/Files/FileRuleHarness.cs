using System.Security.Cryptography;
using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Tests.Files;

/// <summary>Runs the built-in file rules over one evidence file the way the scanner does (head bytes + SHA-256).</summary>
internal static class FileRuleHarness
{
    private static readonly RuleSet Rules = RuleSet.BuiltIn();

    public static List<Finding> Run(EvidenceFile file, string? sha256Override = null)
    {
        byte[] head;
        using (var s = file.Open())
        {
            head = new byte[ArtifactClassifier.SniffBytes];
            head = head[..s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        string sha;
        using (var s = file.Open()) sha = Convert.ToHexStringLower(SHA256.HashData(s));
        var context = new ScanContext();
        foreach (var rule in Rules.FileRules)
            if (rule.Handles(file.Kind)) rule.Inspect(file, head, sha256Override ?? sha, context);
        return context.Findings.Snapshot().ToList();
    }

    public static List<string> Ids(this IEnumerable<Finding> findings) => findings.Select(f => f.Rule.Id).ToList();
}
