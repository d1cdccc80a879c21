using Exhunt.Detection.Sigma;
using Xunit;

namespace Exhunt.Tests.Sigma;

/// <summary>The automaton is built from the literals in folded order (no transition map): the trie it makes has one
/// state per distinct folded prefix, whatever order the literals come in, and the build still refuses what it refused.</summary>
public class LiteralAutomatonBuildTests
{
    [Fact]
    public void One_state_per_distinct_prefix_in_any_order()
    {
        var random = new Random(11);
        const string alphabet = "abcAB.-\\";
        for (var round = 0; round < 100; round++)
        {
            var literals = Enumerable.Range(0, random.Next(1, 60))
                .Select(_ => new string(Enumerable.Range(0, random.Next(1, 9)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()))
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var prefixes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var l in literals)
                for (var n = 1; n <= l.Length; n++) prefixes.Add(l[..n]);
            Assert.Equal(prefixes.Count + 1, new LiteralAutomaton(literals).States);
            var shuffled = literals.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(prefixes.Count + 1, new LiteralAutomaton(shuffled).States);
        }
    }

    [Fact]
    public void Literal_that_is_a_prefix_of_another_is_reported_with_it()
    {
        var automaton = new LiteralAutomaton(["cmd.exe", "CMD", "md.e", "q"]);
        var sink = new Collect { Found = [] };
        automaton.Search("C:\\Windows\\cmd.EXE /c", ref sink);
        Assert.Equal([0, 1, 2], sink.Found.Order());
    }

    [Fact]
    public void Equal_literals_ignoring_case_and_non_ascii_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LiteralAutomaton(["abc", "x", "ABC"]));
        Assert.Throws<ArgumentException>(() => new LiteralAutomaton(["abc", "é"]));
    }

    [Fact]
    public void Large_set_builds_and_finds_every_literal()
    {
        var literals = Enumerable.Range(0, 20_000).Select(i => $"\\tool{i:x5}.exe").ToList();
        var automaton = new LiteralAutomaton(literals);
        foreach (var i in new[] { 0, 1, 4095, 19_999 })
        {
            var sink = new Collect { Found = [] };
            automaton.Search($"C:\\TOOLS\\TOOL{i:X5}.EXE -x", ref sink);
            Assert.Contains(i, sink.Found);
        }
    }

    private struct Collect : IHitSink
    {
        public HashSet<int> Found;
        public void Hit(int literal) => Found.Add(literal);
    }
}
