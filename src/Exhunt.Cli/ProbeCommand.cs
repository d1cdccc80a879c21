using System.CommandLine;
using System.Text.Json;
using Exhunt.Exposure;
using Exhunt.Reports;

namespace Exhunt.Cli;

/// <summary>
/// <c>exhunt probe https://host</c>: the build a live Exchange server reveals to an unauthenticated client, and the
/// CVEs that build is open to. Exit 0 when a build was read, 3 when the server revealed none (not Exchange, or
/// hidden), 66 when it could not be reached.
/// </summary>
public static class ProbeCommand
{
    public const int Inconclusive = 3;

    public static Command Create()
    {
        var url = new Argument<string>("URL") { Description = "The server: https://mail.example.org (http:// also accepted)" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each answer", DefaultValueFactory = _ => 10 };
        var proxy = new Option<string?>("--proxy") { Description = "HTTP proxy URL, or 'none' to connect directly (default: the system proxy, HTTPS_PROXY)" };
        var insecure = new Option<bool>("--insecure") { Description = "Accept a TLS certificate that does not validate (self-signed)" };
        var samples = new Option<int>("--samples") { Description = "Rounds of requests (a load balancer may answer each from another server)", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("probe", "Read the build a live Exchange server reveals without credentials (headers, logon page, export-tool manifest) and the CVEs it is open to; sends no exploit")
            { url, timeout, proxy, insecure, samples, json };
        command.SetAction(parse => Run(parse.GetValue(url)!, parse.GetValue(timeout), parse.GetValue(proxy), parse.GetValue(insecure),
            parse.GetValue(samples), parse.GetValue(json), Console.Out));
        return command;
    }

    public static int Run(string url, double timeoutSeconds, string? proxy, bool insecure, int samples, bool json, TextWriter stdout)
    {
        if (!Uri.TryCreate(url.Contains("://", StringComparison.Ordinal) ? url : "https://" + url, UriKind.Absolute, out var target)
            || target.Scheme is not ("http" or "https"))
            throw new UsageException($"URL must be an http(s) address like https://mail.example.org (got '{url}')");
        if (timeoutSeconds is <= 0 or > 600) throw new UsageException("--timeout must be between 0 and 600 seconds");
        if (samples is < 1 or > 20) throw new UsageException("--samples must be between 1 and 20");
        if (proxy is not null && !string.Equals(proxy, "none", StringComparison.OrdinalIgnoreCase) && !Uri.TryCreate(proxy, UriKind.Absolute, out _))
            throw new UsageException($"--proxy must be a URL like http://proxy:3128 or 'none' (got '{proxy}')");
        var options = new ProbeOptions { Timeout = TimeSpan.FromSeconds(timeoutSeconds), Proxy = proxy, Insecure = insecure, Samples = samples };
        var result = new ExchangeProbe(options).RunAsync(new Uri(target.GetLeftPart(UriPartial.Authority) + "/")).GetAwaiter().GetResult();
        var assessments = Assess(result);
        if (json) ExposureCommand.WriteJson(stdout, w => WriteJson(w, result, assessments));
        else WriteText(stdout, result, assessments);
        if (result.Signals.Count > 0) return ExitCodes.Clean;
        return result.Aborted ? ExitCodes.InputMissing : Inconclusive;
    }

    /// <summary>The exposure of each distinct build the samples showed, worst first.</summary>
    public static List<ExposureAssessment> Assess(ProbeResult result) =>
        result.Builds.Select(b =>
            {
                var signal = result.Signals.First(s => s.Build == b.Build && s.Precision == b.Precision);
                var a = ExposureEvaluator.BuiltIn.Evaluate(b.Build, b.Precision, result.Target.Host, $"{result.Target.GetLeftPart(UriPartial.Authority)} {signal.Request}",
                    $"{signal.How}, {b.Count} of {result.Samples} samples");
                return a;
            })
            .OrderBy(a => a, Comparer<ExposureAssessment>.Create(ExposureAssessment.CompareWorst)).ToList();

    private static void WriteText(TextWriter o, ProbeResult r, List<ExposureAssessment> assessments)
    {
        var e = TextEscape.ForTerminal;
        o.WriteLine($"Probe of {e(r.Target.ToString(), 200)} ({r.Samples} sample(s), unauthenticated GETs only)");
        foreach (var g in r.Signals.GroupBy(s => (s.How, s.Build)))
            o.WriteLine(e($"  {g.Key.How}: {g.Key.Build} in {g.Select(s => s.Sample).Distinct().Count()} of {r.Samples} samples ({g.First().Precision.ToWire()}; {g.First().Request}{Backends(g)})", 300));
        foreach (var err in r.Errors) o.WriteLine(e($"  could not read: {err}", 300));
        if (assessments.Count == 0)
        {
            o.WriteLine("No Exchange build revealed: not an Exchange server, or a proxy hides the headers and paths (precision: none).");
            return;
        }
        if (r.Disagree)
            o.WriteLine($"Samples disagree: {string.Join(", ", r.Builds.Select(b => $"{b.Build} ({b.Count} of {r.Samples})"))}: servers behind a load balancer run different builds; each is listed, worst first.");
        else if (r.Samples == 1)
            o.WriteLine("One sample only: behind a load balancer other servers may run other builds (use --samples).");
        foreach (var a in assessments)
        {
            o.WriteLine();
            ExposureText.WriteDetail(a, o);
        }
    }

    private static string Backends(IEnumerable<ProbeSignal> g)
    {
        var b = g.Select(s => s.Backend).OfType<string>().Distinct().ToList();
        return b.Count == 0 ? "" : $"; server {string.Join(", ", b.Take(3))}";
    }

    private static void WriteJson(Utf8JsonWriter w, ProbeResult r, List<ExposureAssessment> assessments)
    {
        w.WriteStartObject();
        w.WriteString("schema", "exhunt.probe/1");
        w.WriteString("target", r.Target.ToString());
        w.WriteNumber("samples", r.Samples);
        w.WriteString("precision", r.Builds.Count == 0 ? "none" : r.Builds[0].Precision.ToWire());
        w.WriteBoolean("samples_disagree", r.Disagree);
        w.WriteStartArray("signals");
        foreach (var s in r.Signals)
        {
            w.WriteStartObject();
            w.WriteNumber("sample", s.Sample);
            w.WriteString("build", s.Build.ToString());
            w.WriteString("precision", s.Precision.ToWire());
            w.WriteString("request", s.Request);
            w.WriteString("how", s.How);
            if (s.Backend is null) w.WriteNull("server"); else w.WriteString("server", s.Backend);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("errors");
        foreach (var e in r.Errors) w.WriteStringValue(e);
        w.WriteEndArray();
        if (assessments.Count == 0) w.WriteNull("exposure");
        else
        {
            w.WritePropertyName("exposure");
            ExposureJson.Write(w, assessments[0]);
        }
        w.WriteStartArray("builds_exposure");
        foreach (var a in assessments) ExposureJson.Write(w, a);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
