using static Exhunt.Tests.Events.EventFixtures;

namespace Exhunt.Tests.Events;

public class UnifiedMessagingRuleTests
{
    private const string CastText = "An unhandled exception occurred in a UM worker process: System.InvalidCastException: Unable to cast object of type 'System.Windows.Data.ObjectDataProvider' to type 'Microsoft.Exchange.UM.UMCommon.VoiceMail'.";

    [Fact]
    public void Invalid_cast_error_from_unified_messaging_is_test_proxylogon_check_2()
    {
        var ids = Ids(Event("MSExchange Unified Messaging", "Application", 1001, 2, ("Data1", CastText)));
        Assert.Contains("evt-um-26857-invalidcast", ids);
        Assert.Contains("evt-um-worker-error", ids);
    }

    [Fact]
    public void Same_text_as_a_warning_or_from_another_source_is_quiet()
    {
        Assert.Empty(Ids(Event("MSExchange Unified Messaging", "Application", 1001, 3, ("Data1", CastText))));
        Assert.DoesNotContain("evt-um-26857-invalidcast", Ids(Event("MSExchange Control Panel", "Application", 4, 2, ("Data1", "System.InvalidCastException"))));
        Assert.Empty(Ids(Event("MSExchange Unified Messaging", "Application", 1001, 2, ("Data1", "System.NullReferenceException: Object reference not set"))));
    }

    [Fact]
    public void Watson_report_naming_the_gadget_is_an_attempt()
    {
        var watson = Event("MSExchange Common", "Application", 4999, 2, ("Message",
            "Watson report about to be sent for process id: 9876, with parameters: E12IIS, c-RTL-AMD64, 15.01.2106.002, UMWorkerProcess, Microsoft.Exchange.UM.UMCore, M.E.UM.UMCore.PipelineDispatcher.Dispatch, System.InvalidCastException, Microsoft.VisualStudio.Text.Formatting.TextFormattingRunProperties, 15.01.2106.002."));
        Assert.Contains("evt-um-26857-gadget-watson", Ids(watson));
        var oom = Event("MSExchange Common", "Application", 4999, 2, ("Message",
            "Watson report about to be sent for process id: 9876, with parameters: UMWorkerProcess, System.OutOfMemoryException, TextFormattingRunProperties"));
        Assert.Empty(Ids(oom));
        var w3wp = Event("MSExchange Common", "Application", 4999, 2, ("Message", "Watson report about to be sent for process id: 11, with parameters: w3wp#MSExchangeOWAAppPool, System.NullReferenceException"));
        Assert.Empty(Ids(w3wp));
    }

    [Fact]
    public void Um_service_errors_are_weak_and_out_of_memory_is_excluded()
    {
        Assert.Equal(["evt-um-worker-error"], Ids(Event("MSExchange Unified Messaging", "Application", 1400, 2, ("Message", "The Microsoft Exchange Unified Messaging service failed to process a call."))));
        Assert.Empty(Ids(Event("MSExchange Unified Messaging", "Application", 1400, 2, ("Message", "An unhandled exception occurred in a UM worker process: System.OutOfMemoryException"))));
    }
}
