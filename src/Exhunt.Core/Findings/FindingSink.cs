using System.Collections.Concurrent;

namespace Exhunt.Findings;

/// <summary>Thread-safe collector of findings; readers for different files add concurrently.</summary>
public sealed class FindingSink
{
    private readonly ConcurrentQueue<Finding> _findings = new();
    public void Add(Finding finding) => _findings.Enqueue(finding);
    public IReadOnlyList<Finding> Snapshot() => _findings.ToArray();
    public int Count => _findings.Count;
}
