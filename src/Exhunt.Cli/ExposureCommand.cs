using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Exhunt.Exposure;
using Exhunt.Reports;

namespace Exhunt.Cli;

/// <summary><c>exhunt exposure --build 15.1.2176.2</c>: which CVEs a build typed by hand is still open to.</summary>
public static class ExposureCommand
{
    public static Command Create()
    {
        var build = new Option<string>("--build") { Description = "The Exchange build: 15.1.2176.2, 15.01.2176.002, or a CU-level 15.1.2176", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the exposure as JSON (the report's 'exposure' object)" };
        var command = new Command("exposure", "Which CVEs an Exchange build is still open to, and the update that closes each") { build, json };
        command.SetAction(parse => Run(parse.GetValue(build)!, parse.GetValue(json), Console.Out));
        return command;
    }

    public static int Run(string buildText, bool json, TextWriter stdout)
    {
        if (!ExchangeBuild.TryParse(buildText, out var build))
            throw new UsageException($"--build must be a build number like 15.1.2176.2 or 15.01.2176.002 (got '{buildText}')");
        var precision = build.CuOnly ? BuildPrecision.Cu : BuildPrecision.Exact;
        var a = ExposureEvaluator.BuiltIn.Evaluate(build, precision);
        if (json) WriteJson(stdout, w => ExposureJson.Write(w, a));
        else
        {
            ExposureText.WriteDetail(a, stdout);
            stdout.WriteLine($"Tables: {ExposureTables.BuiltIn.Version}");
        }
        return ExitCodes.Clean;
    }

    internal static void WriteJson(TextWriter stdout, Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.Default })) write(w);
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
}
