using System.Diagnostics;
using System.Text;
using Exhunt.Reports;

namespace Exhunt.Tests.Reports;

/// <summary>
/// Renders the HTML report in a real browser (Debian's chromium, headless): a screenshot lands in the test output
/// folder, and the DOM after load proves no payload from the log fields ran (each would have set the page title).
/// </summary>
public class HtmlBrowserTests(WriterScan scan) : IClassFixture<WriterScan>
{
    private static string? Chromium() => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    [SkippableFact]
    public void Chromium_renders_the_report_and_no_injected_payload_runs()
    {
        var browser = Chromium();
        Skip.If(browser is null, "no chromium on this machine (apt-get install -y chromium; .ci/run installs it)");
        var output = WriterScan.OutputFolder();
        var html = Path.Combine(output, "browser-report.html");
        using (var f = File.Create(html)) ReportWriters.All.Single(w => w.Format == "html").Write(scan.Result, f, Exhunt.Findings.Severity.Info);
        var shot = Path.Combine(output, "browser-report.png");
        File.Delete(shot);
        var common = $"--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir={Path.Combine(output, "chromium-profile")} --virtual-time-budget=3000";

        var (dom, _) = Run(browser!, $"{common} --dump-dom file://{html}");
        Assert.Contains("<h1>", dom);
        var title = dom[(dom.IndexOf("<title>", StringComparison.Ordinal) + 7)..dom.IndexOf("</title>", StringComparison.Ordinal)];
        foreach (var mark in WriterScan.Marks) Assert.DoesNotContain(mark, title);
        Assert.StartsWith("exhunt: compromised", title);
        // The page's own (hashed) script did run: it filled in the count of shown rows.
        Assert.Contains($"<span id=\"shown\">{scan.Model.Findings.Count}</span>", dom);
        // No element the payloads would have created exists in the live DOM.
        Assert.DoesNotContain("<img src=\"x\"", dom);
        Assert.DoesNotContain("<svg onload", dom);

        Run(browser!, $"{common} --window-size=1280,2400 --screenshot={shot} file://{html}");
        Assert.True(File.Exists(shot) && new FileInfo(shot).Length > 10_000, "screenshot written: " + shot);
    }

    private static (string Out, string Err) Run(string exe, string args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(90_000)) { p.Kill(entireProcessTree: true); throw new TimeoutException("chromium did not finish in 90 s"); }
        return (stdout.Result, stderr.Result);
    }
}
