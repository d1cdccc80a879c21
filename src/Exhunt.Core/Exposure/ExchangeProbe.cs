using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.RegularExpressions;

namespace Exhunt.Exposure;

public sealed class ProbeOptions
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>null: the system proxy (HTTPS_PROXY ...); "none": connect directly; otherwise the proxy URL.</summary>
    public string? Proxy { get; init; }
    /// <summary>Accept a certificate that does not validate (self-signed lab servers).</summary>
    public bool Insecure { get; init; }
    /// <summary>Rounds of requests: behind a load balancer each round may reach another server.</summary>
    public int Samples { get; init; } = 3;
}

/// <summary>One thing the server revealed: the build, how precise, and from which request.</summary>
public sealed record ProbeSignal(int Sample, ExchangeBuild Build, BuildPrecision Precision, string Request, string How, string? Backend);

public sealed record ProbeResult(Uri Target, IReadOnlyList<ProbeSignal> Signals, IReadOnlyList<string> Errors, int Samples)
{
    /// <summary>The server could not be reached, the TLS handshake failed, or it did not answer in time: probing stopped.</summary>
    public bool Aborted { get; init; }

    /// <summary>Distinct builds of the most precise kind seen, most frequent first: more than one means disagreeing samples.</summary>
    public IReadOnlyList<(ExchangeBuild Build, BuildPrecision Precision, int Count)> Builds
    {
        get
        {
            if (Signals.Count == 0) return [];
            var best = Signals.Max(s => s.Precision);
            return Signals.Where(s => s.Precision == best).GroupBy(s => s.Build)
                .Select(g => (g.Key, best, g.Select(s => s.Sample).Distinct().Count()))
                .OrderByDescending(x => x.Item3).ThenBy(x => x.Key).ToList();
        }
    }

    public bool Disagree => Builds.Count > 1;
}

/// <summary>
/// Reads what an Exchange server shows an unauthenticated client (facts: exchange-fingerprint.md §2): the
/// <c>X-OWA-Version</c> header (exact), the OWA logon page's resource paths (<c>/owa/auth/15.x.y/</c>: CU only), the ECP
/// export-tool ClickOnce manifest version (lower bound) and the Autodiscover/EWS response headers. Plain GETs of
/// fixed public paths, no cookies, no body, no credentials: never an exploit or a payload. Redirects are not followed
/// (the first answer carries the headers). Each sample opens fresh connections so a load balancer can pick again.
/// </summary>
public sealed partial class ExchangeProbe(ProbeOptions options)
{
    public const int MaxBody = 1024 * 1024;

    private static readonly (string Path, string Name)[] Requests =
    [
        ("/owa/", "GET /owa/"),
        ("/owa/auth/logon.aspx", "GET /owa/auth/logon.aspx"),
        ("/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application", "GET /ecp/Current/exporttool manifest"),
        ("/autodiscover/autodiscover.xml", "GET /autodiscover/autodiscover.xml"),
        ("/EWS/Exchange.asmx", "GET /EWS/Exchange.asmx"),
    ];

    [GeneratedRegex(@"/owa/(?:auth/|prem/)?(1[45]\.\d{1,2}\.\d{1,5}(?:\.\d{1,5})?)/", RegexOptions.IgnoreCase, 200)]
    private static partial Regex OwaResourcePath();

    [GeneratedRegex(@"<assemblyIdentity\b[^>]{0,400}?\sversion=""(\d{1,3}\.\d{1,3}\.\d{1,5}\.\d{1,5})""", RegexOptions.IgnoreCase, 200)]
    private static partial Regex ManifestVersion();

    public async Task<ProbeResult> RunAsync(Uri target, CancellationToken cancel = default)
    {
        var signals = new List<ProbeSignal>();
        var errors = new List<string>();
        var samples = Math.Clamp(options.Samples, 1, 20);
        for (var sample = 1; sample <= samples; sample++)
        {
            using var client = CreateClient();
            foreach (var (path, name) in Requests)
            {
                try { await One(client, target, path, name, sample, signals, cancel); }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    var why = Describe(e);
                    if (!errors.Contains($"{name}: {why}")) errors.Add($"{name}: {why}");
                    if (IsFatal(e)) return new ProbeResult(target, signals, errors, sample) { Aborted = true };
                }
            }
        }
        return new ProbeResult(target, signals, errors, samples);
    }

    private async Task One(HttpClient client, Uri target, string path, string name, int sample, List<ProbeSignal> signals, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, path));
        request.Headers.ConnectionClose = true;
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        var backend = Header(response, "X-FEServer") ?? Header(response, "X-BEServer") ?? Header(response, "X-DiagInfo");
        if (Header(response, "X-OWA-Version") is { } owa && ExchangeBuild.TryParse(owa, out var exact) && exact.IsExchange15 && !exact.CuOnly)
            signals.Add(new ProbeSignal(sample, exact, BuildPrecision.Exact, name, "X-OWA-Version header", backend));
        if (Header(response, "X-ServerApplication") is { } app && app.StartsWith("Exchange/", StringComparison.OrdinalIgnoreCase)
            && ExchangeBuild.TryParse(app.AsSpan("Exchange/".Length), out var appBuild) && appBuild.IsExchange15 && !appBuild.CuOnly)
            signals.Add(new ProbeSignal(sample, appBuild, BuildPrecision.Exact, name, "X-ServerApplication header", backend));
        if (!response.IsSuccessStatusCode || path.StartsWith("/autodiscover", StringComparison.Ordinal) || path.StartsWith("/EWS", StringComparison.Ordinal)) return;
        var body = await ReadBounded(response, cancel);
        if (path.Contains("exporttool", StringComparison.Ordinal))
        {
            var m = ManifestVersion().Match(body);
            if (m.Success && ExchangeBuild.TryParse(m.Groups[1].Value, out var manifest) && manifest.IsExchange15)
                signals.Add(new ProbeSignal(sample, manifest, BuildPrecision.LowerBound, name, "export-tool manifest assemblyIdentity version", backend));
            return;
        }
        foreach (var b in OwaResourcePath().Matches(body).Select(m => m.Groups[1].Value).Distinct().Take(5))
        {
            if (!ExchangeBuild.TryParse(b, out var pathBuild) || !pathBuild.IsExchange15) continue;
            signals.Add(new ProbeSignal(sample, pathBuild, pathBuild.CuOnly ? BuildPrecision.Cu : BuildPrecision.LowerBound, name,
                $"OWA logon page resource path /owa/.../{pathBuild}/", backend));
        }
    }

    private HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.Zero,
            MaxResponseHeadersLength = 64,
        };
        if (string.Equals(options.Proxy, "none", StringComparison.OrdinalIgnoreCase)) handler.UseProxy = false;
        else if (options.Proxy is { } p) { handler.UseProxy = true; handler.Proxy = new WebProxy(new Uri(p)); }
        if (options.Insecure)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        var client = new HttpClient(handler) { Timeout = options.Timeout };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("exhunt-probe", "1"));
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xml,*/*");
        return client;
    }

    private static async Task<string> ReadBounded(HttpResponseMessage response, CancellationToken cancel)
    {
        await using var s = await response.Content.ReadAsStreamAsync(cancel);
        var buf = new byte[MaxBody];
        var n = await s.ReadAtLeastAsync(buf, buf.Length, throwOnEndOfStream: false, cancel);
        return Encoding.UTF8.GetString(buf, 0, n);
    }

    private static string? Header(HttpResponseMessage r, string name)
    {
        if (r.Headers.TryGetValues(name, out var v) || r.Content.Headers.TryGetValues(name, out v))
        {
            var s = v.FirstOrDefault();
            return s is null ? null : s.Length > 100 ? s[..100] : s;
        }
        return null;
    }

    private static bool IsFatal(Exception e) => e.GetBaseException() is AuthenticationException
        || e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError }
        || e is TaskCanceledException;

    private static string Describe(Exception e) => e switch
    {
        _ when e.GetBaseException() is AuthenticationException a => $"TLS certificate not accepted ({a.Message}); use --insecure to accept a self-signed certificate",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => $"TLS failed ({e.GetBaseException().Message}); use --insecure to accept a self-signed certificate",
        TaskCanceledException => "no answer within the timeout",
        _ => e.GetBaseException().Message,
    };
}
