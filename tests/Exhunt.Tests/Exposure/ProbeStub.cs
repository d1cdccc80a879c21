using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Exhunt.Tests.Exposure;

/// <summary>A local stand-in for an Exchange server (or something else) on 127.0.0.1, on a free port.</summary>
public sealed class ProbeStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    public Uri Url { get; }
    public int Requests => _requests;
    public List<string> Seen { get; } = new();
    private int _requests;

    private ProbeStub(WebApplication app, Uri url) { _app = app; Url = url; }

    public static async Task<ProbeStub> StartAsync(Func<HttpContext, int, Task> handle, X509Certificate2? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => { if (tls is not null) l.UseHttps(tls); }));
        var app = builder.Build();
        ProbeStub? stub = null;
        app.Run(async ctx =>
        {
            var n = Interlocked.Increment(ref stub!._requests);
            lock (stub.Seen) stub.Seen.Add($"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString} cookies={ctx.Request.Headers.Cookie.Count} body={ctx.Request.ContentLength ?? 0}");
            await handle(ctx, n);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stub = new ProbeStub(app, new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1")));
        return stub;
    }

    public static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
