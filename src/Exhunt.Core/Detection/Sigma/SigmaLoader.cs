using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>
/// Loads Sigma rules from files and folders (*.yml, *.yaml, recursively): each rule is compiled once per place its
/// records live, with its field names resolved once; filters are AND NOT'ed into the rules they name. Every rule is
/// accounted for in <see cref="SigmaLoadReport"/>. Correlation rules join the rules of the whole load, whatever file
/// they are in (<see cref="SigmaCorrelationPlanner"/>).
/// </summary>
public static class SigmaLoader
{
    public static SigmaRuleSet Load(IEnumerable<string> paths, SigmaOptions? options = null)
    {
        options ??= new SigmaOptions();
        var report = new SigmaLoadReport();
        var rules = new List<SigmaRule>();
        var filters = new List<SigmaFilter>();
        var correlations = new List<SigmaCorrelation>();
        foreach (var file in paths.SelectMany(Files).Distinct(StringComparer.Ordinal))
        {
            List<SigmaDocument> docs;
            try
            {
                var info = new FileInfo(file);
                if (info.Length > SigmaDocuments.MaxFileBytes)
                {
                    report.Rejected.Add(new SigmaReject(file, "", $"file larger than {SigmaDocuments.MaxFileBytes} bytes"));
                    continue;
                }
                using var reader = new StreamReader(file);
                docs = SigmaDocuments.Read(file, reader);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                report.Rejected.Add(new SigmaReject(file, "", $"cannot read: {e.Message}"));
                continue;
            }
            foreach (var doc in docs)
            {
                switch (doc)
                {
                    case SigmaDocument.Rule r: rules.Add(r.Value); break;
                    case SigmaDocument.Filter f: filters.Add(f.Value); break;
                    case SigmaDocument.Correlation c: correlations.Add(c.Value); break;
                    case SigmaDocument.Rejected x: report.Rejected.Add(new SigmaReject(x.Path, x.Id, x.Reason)); break;
                    case SigmaDocument.NotARule: report.NotRules++; break;
                }
            }
        }
        return Compile(rules, filters, correlations, options, report);
    }

    /// <summary>Loads rules from YAML text (tests and tools).</summary>
    public static SigmaRuleSet LoadText(string yaml, string path = "inline.yml", SigmaOptions? options = null)
    {
        var report = new SigmaLoadReport();
        var rules = new List<SigmaRule>();
        var filters = new List<SigmaFilter>();
        var correlations = new List<SigmaCorrelation>();
        foreach (var doc in SigmaDocuments.Read(path, new StringReader(yaml)))
        {
            if (doc is SigmaDocument.Rule r) rules.Add(r.Value);
            else if (doc is SigmaDocument.Filter f) filters.Add(f.Value);
            else if (doc is SigmaDocument.Correlation c) correlations.Add(c.Value);
            else if (doc is SigmaDocument.Rejected x) report.Rejected.Add(new SigmaReject(x.Path, x.Id, x.Reason));
        }
        return Compile(rules, filters, correlations, options ?? new SigmaOptions(), report);
    }

    private static IEnumerable<string> Files(string path)
    {
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"Sigma rules path '{path}' does not exist");
        return Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
    }

    private static SigmaRuleSet Compile(List<SigmaRule> rules, List<SigmaFilter> filters, List<SigmaCorrelation> correlations,
        SigmaOptions options, SigmaLoadReport report)
    {
        var compiled = new List<CompiledSigmaRule>();
        var usedFilters = new HashSet<SigmaFilter>();
        var loaded = new HashSet<SigmaRule>();
        var unsupported = new HashSet<SigmaRule>();
        foreach (var rule in rules)
        {
            var targets = SigmaLogSources.Instance.Resolve(rule.Product, rule.Category, rule.Service);
            if (targets.Count == 0)
            {
                report.UnsupportedLogSource++;
                unsupported.Add(rule);
                continue;
            }
            var mine = filters.Where(f => f.Rules.Any(n => Names(rule, n))).ToList();
            try
            {
                var info = SigmaRuleInfo.For(rule);
                var forRule = new List<CompiledSigmaRule>();
                foreach (var target in targets)
                {
                    var compiler = new SigmaCompiler(Resolver(target), options);
                    var node = compiler.Compile(rule.Detection, rule.Conditions);
                    foreach (var f in mine)
                    {
                        var filterNode = compiler.Compile(f.Detection, f.Conditions);
                        node = new AndNode([node, new NotNode(filterNode)]);
                    }
                    forRule.Add(new CompiledSigmaRule { Rule = rule, Info = info, Node = node, Fields = compiler.FieldsUsed.ToArray(), Target = target });
                }
                compiled.AddRange(forRule);
                usedFilters.UnionWith(mine);
                loaded.Add(rule);
                report.Loaded++;
            }
            catch (SigmaRuleException e)
            {
                report.Rejected.Add(new SigmaReject(rule.Path, rule.Id, e.Message));
            }
        }
        foreach (var rule in rules) rule.Detection = new();
        foreach (var f in filters)
        {
            if (usedFilters.Contains(f)) report.Filters++;
            else report.Rejected.Add(new SigmaReject(f.Path, f.Id, "filter names no loaded rule"));
        }
        var correlation = SigmaCorrelationPlanner.Plan(correlations, rules, loaded, unsupported, compiled, report, Resolver);
        return new SigmaRuleSet(compiled, report) { Correlations = correlation };
    }

    /// <summary>Field name → key for the records of a target (event channels with their renames, or web logs).</summary>
    internal static Func<string, FieldKey> Resolver(LogTarget target) => target switch
    {
        LogTarget.Events e => name => FieldNames.Resolve(RecordShape.WinEvent, e.Renames.TryGetValue(name, out var to) ? to : name),
        _ => name => FieldNames.Resolve(RecordShape.WebLog, name),
    };

    private static bool Names(SigmaRule rule, string name) =>
        name.Equals(rule.Id, StringComparison.OrdinalIgnoreCase)
        || (rule.Name is not null && name.Equals(rule.Name, StringComparison.OrdinalIgnoreCase))
        || name.Equals(Path.GetFileNameWithoutExtension(rule.Path), StringComparison.OrdinalIgnoreCase);
}
