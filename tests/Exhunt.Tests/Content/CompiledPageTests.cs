using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Exhunt.Findings;
using Exhunt.Tests.Files;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Content;

public class CompiledPageTests
{
    private const string TempAspNet = "C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/root/3a6b1c2d/8e9f0a1b/";

    /// <summary>A real (metadata-only) .NET DLL built here, referencing the members a compiled page would.</summary>
    internal static byte[] Assembly(string name, (string Asm, string Ns, string Type, string Member, bool Instance)[] refs, string[] strings)
    {
        var md = new MetadataBuilder();
        md.AddModule(0, md.GetOrAddString(name + ".dll"), md.GetOrAddGuid(Guid.NewGuid()), default, default);
        md.AddAssembly(md.GetOrAddString(name), new Version(0, 0, 0, 0), default, default, 0, AssemblyHashAlgorithm.None);
        var asms = new Dictionary<string, AssemblyReferenceHandle>();
        foreach (var r in refs)
        {
            if (!asms.TryGetValue(r.Asm, out var a))
                asms[r.Asm] = a = md.AddAssemblyReference(md.GetOrAddString(r.Asm), new Version(4, 0, 0, 0), default, default, 0, default);
            var type = md.AddTypeReference(a, md.GetOrAddString(r.Ns), md.GetOrAddString(r.Type));
            var sig = new BlobBuilder();
            new BlobEncoder(sig).MethodSignature(isInstanceMethod: r.Instance).Parameters(1, ret => ret.Type().String(), ps => ps.AddParameter().Type().String());
            md.AddMemberReference(type, md.GetOrAddString(r.Member), md.GetOrAddBlob(sig));
        }
        foreach (var s in strings) md.GetOrAddUserString(s);
        md.AddTypeDefinition(default, default, md.GetOrAddString("<Module>"), default, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var pe = new ManagedPEBuilder(new PEHeaderBuilder(imageCharacteristics: Characteristics.Dll), new MetadataRootBuilder(md), new BlobBuilder());
        var blob = new BlobBuilder();
        pe.Serialize(blob);
        return blob.ToArray();
    }

    [Fact]
    public void Compiled_cmd_shell_in_temporary_asp_net_files_is_found_by_its_references()
    {
        var dll = Assembly("App_Web_k2x9qzrd", [
            ("System.Web", "System.Web", "HttpRequest", "get_Item", true),
            ("System", "System.Diagnostics", "Process", "Start", false),
        ], ["cmd.exe", "/c "]);
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File(TempAspNet + "App_Web_k2x9qzrd.dll", dll)), f => f.Rule.Id == "content-compiled-webshell");
        Assert.Equal(Severity.High, hit.Severity);
        Assert.Contains("System.Diagnostics.Process::Start", hit.Evidence);
    }

    [Fact]
    public void Compiled_jscript_chopper_is_critical()
    {
        var dll = Assembly("App_Web_ab12cd34", [
            ("System.Web", "System.Web", "HttpRequest", "get_Item", true),
            ("Microsoft.JScript", "Microsoft.JScript", "Eval", "JScriptEvaluate", false),
        ], ["unsafe"]);
        var hit = Assert.Single(FileRuleHarness.Run(Fixture.File("site/bin/App_Web_ab12cd34.dll", dll)), f => f.Rule.Id == "content-compiled-webshell");
        Assert.Equal(Severity.Critical, hit.Severity);
    }

    [Fact]
    public void Ordinary_compiled_page_and_garbage_stay_quiet()
    {
        var dll = Assembly("App_Web_logon", [
            ("System.Web", "System.Web", "HttpRequest", "get_Item", true),
            ("System.Web", "System.Web", "HttpUtility", "HtmlEncode", false),
        ], ["Sign in"]);
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File(TempAspNet + "App_Web_logon.dll", dll)), f => f.Rule.Id.StartsWith("content-", StringComparison.Ordinal));
        var junk = new byte[5000]; "MZ"u8.CopyTo(junk);
        Assert.DoesNotContain(FileRuleHarness.Run(Fixture.File(TempAspNet + "App_Web_junk.dll", junk)), f => f.Rule.Id.StartsWith("content-", StringComparison.Ordinal));
    }
}
