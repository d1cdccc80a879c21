using Exhunt.Cli;
using Exhunt.Exposure;
using Microsoft.AspNetCore.Http;

namespace Exhunt.Tests.Exposure;

/// <summary>exhunt probe against local stubs on 127.0.0.1 only.</summary>
public class ProbeTests
{
    private const string LogonPageCu = """
        <html><head><link rel="shortcut icon" href="/owa/auth/15.1.2176/themes/resources/favicon.ico" type="image/x-icon">
        <link type="text/css" rel="stylesheet" href="/owa/auth/15.1.2176/themes/resources/logon.css"></head><body>Outlook</body></html>
        """;

    private static ProbeOptions Options(bool insecure = false, int samples = 3, double timeout = 5) =>
        new() { Proxy = "none", Insecure = insecure, Samples = samples, Timeout = TimeSpan.FromSeconds(timeout) };

    private static async Task Exchange(HttpContext ctx, string build, string? logonPage = null)
    {
        var path = ctx.Request.Path.Value ?? "";
        ctx.Response.Headers["X-FEServer"] = "EX01";
        if (path.Equals("/owa/", StringComparison.OrdinalIgnoreCase))
        {
            ctx.Response.Headers["X-OWA-Version"] = build;
            ctx.Response.StatusCode = 302;
            ctx.Response.Headers.Location = "/owa/auth/logon.aspx?url=%2fowa%2f";
            return;
        }
        if (path.Equals("/owa/auth/logon.aspx", StringComparison.OrdinalIgnoreCase) && logonPage is not null)
        {
            ctx.Response.ContentType = "text/html";
            await ctx.Response.WriteAsync(logonPage);
            return;
        }
        ctx.Response.StatusCode = path.StartsWith("/EWS", StringComparison.OrdinalIgnoreCase) ? 401 : 404;
    }

    [Fact]
    public async Task Exact_build_from_the_X_OWA_Version_header()
    {
        await using var stub = await ProbeStub.StartAsync((ctx, _) => Exchange(ctx, "15.1.2176.2", LogonPageCu));
        var r = await new ExchangeProbe(Options()).RunAsync(stub.Url);
        var b = Assert.Single(r.Builds);
        Assert.Equal(("15.1.2176.2", BuildPrecision.Exact, 3), (b.Build.ToString(), b.Precision, b.Count));
        Assert.False(r.Disagree);
        Assert.Contains(r.Signals, s => s.Precision == BuildPrecision.Cu && s.Build.ToString() == "15.1.2176");
        Assert.Contains(r.Signals, s => s.Backend == "EX01");
        // Plain GETs only: no cookies, no body.
        Assert.All(stub.Seen, s => Assert.Matches(@"^GET .* cookies=0 body=0$", s));
        var a = Assert.Single(ProbeCommand.Assess(r));
        Assert.Contains(a.OpenCves, c => c.Cve == "CVE-2021-26855" && c.Certain);
    }

    [Fact]
    public async Task Only_a_cu_level_logon_path_gives_cu_precision()
    {
        await using var stub = await ProbeStub.StartAsync(async (ctx, _) =>
        {
            if (ctx.Request.Path == "/owa/auth/logon.aspx") { ctx.Response.ContentType = "text/html"; await ctx.Response.WriteAsync(LogonPageCu); }
            else ctx.Response.StatusCode = 404;
        });
        var r = await new ExchangeProbe(Options(samples: 2)).RunAsync(stub.Url);
        var b = Assert.Single(r.Builds);
        Assert.Equal(("15.1.2176", BuildPrecision.Cu), (b.Build.ToString(), b.Precision));
        var a = Assert.Single(ProbeCommand.Assess(r));
        Assert.Equal("2016 CU19, update level not visible", a.Label);
        Assert.Contains(a.OpenCves, c => c.Cve == "CVE-2021-26855" && !c.Certain);
    }

    [Fact]
    public async Task Export_tool_manifest_is_a_lower_bound()
    {
        await using var stub = await ProbeStub.StartAsync(async (ctx, _) =>
        {
            if (ctx.Request.Path.Value!.Contains("exporttool"))
                await ctx.Response.WriteAsync("""<?xml version="1.0"?><asmv1:assembly><assemblyIdentity name="microsoft.exchange.ediscovery.exporttool.application" version="15.2.986.36" publicKeyToken="0" /></asmv1:assembly>""");
            else ctx.Response.StatusCode = 404;
        });
        var r = await new ExchangeProbe(Options(samples: 1)).RunAsync(stub.Url);
        var b = Assert.Single(r.Builds);
        Assert.Equal(("15.2.986.36", BuildPrecision.LowerBound), (b.Build.ToString(), b.Precision));
    }

    [Fact]
    public async Task A_load_balancer_mixing_two_builds_is_reported_as_disagreeing_samples()
    {
        var sample = 0;
        await using var stub = await ProbeStub.StartAsync((ctx, _) =>
        {
            if (ctx.Request.Path == "/owa/") Interlocked.Increment(ref sample);
            return Exchange(ctx, Volatile.Read(ref sample) % 2 == 1 ? "15.1.2507.16" : "15.1.2176.2");
        });
        var r = await new ExchangeProbe(Options(samples: 4)).RunAsync(stub.Url);
        Assert.True(r.Disagree);
        Assert.Equal(["15.1.2176.2", "15.1.2507.16"], r.Builds.Select(b => b.Build.ToString()).Order().ToArray());
        var assessed = ProbeCommand.Assess(r);
        Assert.Equal("15.1.2176.2", assessed[0].Build.ToString());   // worst first
        var o = new StringWriter();
        var code = ProbeCommand.Run(stub.Url.ToString(), 5, "none", false, 4, false, o);
        Assert.Equal(0, code);
        Assert.Contains("Samples disagree: ", o.ToString());
    }

    [Fact]
    public async Task A_non_exchange_server_reveals_no_build()
    {
        await using var stub = await ProbeStub.StartAsync(async (ctx, _) =>
        {
            ctx.Response.Headers["Server"] = "nginx";
            ctx.Response.ContentType = "text/html";
            await ctx.Response.WriteAsync("<html><body>Welcome to nginx! <a href=\"/owa/auth/notaversion/x\">x</a></body></html>");
        });
        var r = await new ExchangeProbe(Options(samples: 1)).RunAsync(stub.Url);
        Assert.Empty(r.Signals);
        var o = new StringWriter();
        Assert.Equal(ProbeCommand.Inconclusive, ProbeCommand.Run(stub.Url.ToString(), 5, "none", false, 1, false, o));
        Assert.Contains("No Exchange build revealed", o.ToString());
    }

    [Fact]
    public async Task Self_signed_tls_is_accepted_only_with_insecure()
    {
        using var cert = ProbeStub.SelfSigned();
        await using var stub = await ProbeStub.StartAsync((ctx, _) => Exchange(ctx, "15.2.1118.7"), cert);
        Assert.Equal("https", stub.Url.Scheme);
        var refused = await new ExchangeProbe(Options()).RunAsync(stub.Url);
        Assert.True(refused.Aborted);
        Assert.Empty(refused.Signals);
        Assert.Contains(refused.Errors, e => e.Contains("--insecure"));
        Assert.Equal(ExitCodes.InputMissing, ProbeCommand.Run(stub.Url.ToString(), 5, "none", false, 1, false, new StringWriter()));

        var accepted = await new ExchangeProbe(Options(insecure: true, samples: 1)).RunAsync(stub.Url);
        Assert.Equal("15.2.1118.7", Assert.Single(accepted.Builds).Build.ToString());
    }

    [Fact]
    public async Task The_timeout_is_honoured()
    {
        await using var stub = await ProbeStub.StartAsync(async (ctx, _) => await Task.Delay(TimeSpan.FromSeconds(20), ctx.RequestAborted));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await new ExchangeProbe(Options(samples: 3, timeout: 0.5)).RunAsync(stub.Url);
        Assert.True(r.Aborted);
        Assert.Contains(r.Errors, e => e.Contains("timeout"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task The_proxy_setting_is_used()
    {
        // The stub plays an HTTP proxy: it gets absolute-form requests for the target and answers them itself.
        var viaProxy = 0;
        await using var proxy = await ProbeStub.StartAsync((ctx, _) =>
        {
            Interlocked.Increment(ref viaProxy);
            return Exchange(ctx, "15.2.792.3");
        });
        var r = await new ExchangeProbe(new ProbeOptions { Proxy = proxy.Url.ToString(), Samples = 1, Timeout = TimeSpan.FromSeconds(5) })
            .RunAsync(new Uri("http://127.0.0.1:9/"));
        Assert.True(viaProxy > 0);
        Assert.Equal("15.2.792.3", Assert.Single(r.Builds).Build.ToString());
    }

    [Fact]
    public void Bad_arguments_are_usage_errors()
    {
        Assert.Throws<UsageException>(() => ProbeCommand.Run("ftp://x", 5, null, false, 1, false, new StringWriter()));
        Assert.Throws<UsageException>(() => ProbeCommand.Run("https://127.0.0.1", -1, null, false, 1, false, new StringWriter()));
        Assert.Throws<UsageException>(() => ProbeCommand.Run("https://127.0.0.1", 5, "not a url", false, 1, false, new StringWriter()));
        Assert.Throws<UsageException>(() => ExposureCommand.Run("15.x", false, new StringWriter()));
    }

    [Fact]
    public void Exposure_command_prints_the_sentence_and_json_for_both_build_forms()
    {
        foreach (var form in new[] { "15.1.2176.2", "15.01.2176.002" })
        {
            var o = new StringWriter();
            Assert.Equal(0, ExposureCommand.Run(form, false, o));
            Assert.Contains("the build 15.1.2176.2 (2016 CU19, no security update) is still open to", o.ToString());
            var j = new StringWriter();
            ExposureCommand.Run(form, true, j);
            using var doc = System.Text.Json.JsonDocument.Parse(j.ToString());
            Assert.Equal("exact", doc.RootElement.GetProperty("precision").GetString());
            Assert.Contains(doc.RootElement.GetProperty("open_cves").EnumerateArray(), c => c.GetProperty("cve").GetString() == "CVE-2021-26855");
        }
    }
}
