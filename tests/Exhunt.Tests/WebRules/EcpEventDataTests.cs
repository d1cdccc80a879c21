using Exhunt.Detection.Web;

namespace Exhunt.Tests.WebRules;

public class EcpEventDataTests
{
    [Fact]
    public void Bag_reader_splits_plain_and_quoted_items()
    {
        var data = "S:TIME=13;S:SID=abc;'S:CMD=Set-X.Url=''http://a/;b''';S:REQID=;S:EX=Boom";
        var reader = new EcpBagReader(data);
        var items = new List<(string, string, bool)>();
        while (reader.MoveNext()) items.Add((reader.Key.ToString(), reader.RawValue.ToString(), reader.Quoted));
        Assert.Equal([("TIME", "13", false), ("SID", "abc", false), ("CMD", "Set-X.Url=''http://a/;b''", true), ("REQID", "", false), ("EX", "Boom", false)], items);
        Assert.Equal("Set-X.Url='http://a/;b'", EcpBagReader.Command(data));
    }

    [Fact]
    public void Cmdlet_reader_reads_quoted_and_unquoted_parameters()
    {
        var call = new CmdletParamReader("New-OABVirtualDirectory.WebSiteName='Default Web Site'.Force=$true.Path='C:\\x\\it''s.OAB'.Role=Mailbox Import Export");
        Assert.Equal("New-OABVirtualDirectory", call.Cmdlet.ToString());
        var ps = new List<(string, string)>();
        while (call.MoveNext()) ps.Add((call.Name.ToString(), call.RawValue.ToString()));
        Assert.Equal([("WebSiteName", "Default Web Site"), ("Force", "$true"), ("Path", "C:\\x\\it''s.OAB"), ("Role", "Mailbox Import Export")], ps);
    }

    [Theory]
    [InlineData("")]
    [InlineData("'")]
    [InlineData("'S:CMD=x")]
    [InlineData(";;;=;'';S:=")]
    [InlineData("S:CMD='")]
    public void Hostile_bags_do_not_throw(string data)
    {
        var reader = new EcpBagReader(data);
        var n = 0;
        while (reader.MoveNext() && n < 100) n++;
        var cmd = EcpBagReader.Command(data);
        if (cmd is not null)
        {
            var call = new CmdletParamReader(cmd);
            while (call.MoveNext() && n < 200) n++;
        }
        Assert.True(n < 100);
    }
}
