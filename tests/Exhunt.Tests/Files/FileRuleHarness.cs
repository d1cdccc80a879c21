using Exhunt.Detection;
using Exhunt.Detection.Content;
using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Tests.Files;

/// <summary>Runs the built-in file rules over one evidence file the way the scanner does (head bytes + SHA-256).</summary>
internal static class FileRuleHarness
{
    private static readonly RuleSet Rules = RuleSet.BuiltIn();

    public static List<Finding> Run(EvidenceFile file, string? sha256Override = null)
    {
        var context = new ScanContext();
        using var s = file.Open();
        var head = new byte[ArtifactClassifier.SniffBytes];
        head = head[..s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        using var read = FileContentReader.Read(file, s, head, Rules.FileRules);
        using var content = sha256Override is null ? null : FileContent.FromBytes(read.Bytes.ToArray(), sha256Override);
        foreach (var rule in Rules.FileRules)
            if (rule.Handles(file.Kind)) rule.Inspect(file, content ?? read, context);
        return context.Findings.Snapshot().ToList();
    }

    public static List<string> Ids(this IEnumerable<Finding> findings) => findings.Select(f => f.Rule.Id).ToList();
}
