using OmsDashboard.Web.Correlation;
using OmsDashboard.Data.Correlation;
using Bunit;
using Bunit.JSInterop;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OmsDashboard.Data.Polling;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Polling;
using OmsDashboard.Web.Realtime;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>A clock the test moves by hand (UTC); its timers are real ones and never fire within a test.</summary>
internal sealed class ManualTime(DateTimeOffset now, TimeZoneInfo? zone = null) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public override TimeZoneInfo LocalTimeZone => zone ?? TimeZoneInfo.Utc;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>Outages, rows and pushes as the Operations tests need them.</summary>
internal static class OperationsKit
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 13, 30, 0, TimeSpan.Zero);

    public const string IeeeFeeder = "FDR:LN5815900-1";
    public const string EpriFeeder = "FDR:fdr_05410";

    public static OutageItem Outage(string eventId, DateTimeOffset firstDetected, string status = "confirmed", string severity = "medium",
        int customers = 42, decimal confidence = 0.93m, string? device = "FUS:LN5985355-3", string? kind = "fuse", string? feeder = IeeeFeeder,
        bool hazard = false, double? lat = 34.01, double? lon = -117.02, int kaifa = 27, int onu = 9, int calls = 3, int scada = 0, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), eventId, status, severity, confidence, device, kind, feeder, "SUB:HVMV_Sub", customers, firstDetected,
            status == "confirmed" ? firstDetected : null, null, null,
            new Dictionary<string, int> { ["scada"] = scada, ["kaifa"] = kaifa, ["onu"] = onu, ["callcenter"] = calls },
            lat, lon, null, null, hazard);

    public static OutageRow Row(string eventId, DateTimeOffset firstDetected, string status = "confirmed", string severity = "medium",
        int customers = 42, bool hazard = false, double? lat = 34.01, double? lon = -117.02, Guid? id = null) =>
        OutageRow.From(Outage(eventId, firstDetected, status, severity, customers, hazard: hazard, lat: lat, lon: lon, id: id));

    public static OutageUpdate Update(OutageItem outage, string change) => new(outage, change);

    /// <summary>
    /// A map view that holds every outage, at a zoom where only outages a few metres apart share a
    /// cell: each outage is its own marker (tests about markers, not clusters, let createMap return it).
    /// </summary>
    public static readonly MapView CloseView = new(18, -180, -85, 180, 85);

    /// <summary>The markers of an <c>updateOutages</c> call (one JSON text; customers are not sent, the radius carries them).</summary>
    public static MapUpdate MapUpdateOf(Bunit.JSRuntimeInvocation invocation) =>
        MapUpdateJson.Deserialize(Xunit.Assert.IsType<string>(invocation.Arguments[1]));

    public static KpiUpdate Kpis(long active, long customersOut, int scada = 0, int kaifa = 0, int onu = 0, int calls = 0) =>
        new(active, customersOut, new Dictionary<string, int> { ["scada"] = scada, ["kaifa"] = kaifa, ["onu"] = onu, ["callcenter"] = calls });

    /// <summary>
    /// The services the Operations page and the storm banner inject, on <paramref name="dataSource"/>,
    /// with a hand-moved clock, a real notifier and an interactive renderer (the page skips its
    /// reads while prerendering).
    /// </summary>
    public static OmsTestContext Context(NpgsqlDataSource dataSource, ManualTime time, OutageNotifier notifier)
    {
        var ctx = new OmsTestContext(dataSource);
        ctx.Services.AddSingleton(dataSource);
        ctx.Services.AddSingleton(new OutageQueries(dataSource));
        ctx.Services.AddSingleton(new OutageDetailQueries(dataSource));
        // Operator actions run a real pass on the same database (without the push).
        ctx.Services.AddSingleton(new OutageActionService(dataSource, new PassOnly(new CorrelationPass(dataSource, time)), time));
        ctx.Services.AddSingleton(notifier);
        ctx.Services.AddSingleton<TimeProvider>(time);
        ctx.Services.AddSingleton(new SourceHealthService(new SourceHealthQueries(dataSource), Microsoft.Extensions.Options.Options.Create(new PollingOptions()), time));
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return ctx;
    }

    /// <summary>Inserts an outage row as the correlation pass would leave it (only the columns the lists read).</summary>
    public static async Task<Guid> InsertOutageAsync(NpgsqlDataSource dataSource, string eventId, string status, DateTimeOffset firstDetected,
        string severity = "high", int customers = 42, string device = "FUS:LN5985355-3", string kind = "fuse", string feeder = IeeeFeeder,
        bool hazard = false)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO oms_outage_events (event_id, status, severity, confidence_score, affected_customers_count, device_id, device_kind,
                feeder_id, substation_id, location, first_detected_at, has_hazard)
            SELECT @event, @status, @severity, 0.8, @customers, d.id, @kind, @feeder, f.substation_id, d.location, @first, @hazard
              FROM network_devices d JOIN network_feeders f ON f.id = @feeder WHERE d.id = @device
            RETURNING id
            """);
        cmd.Parameters.AddWithValue("event", eventId);
        cmd.Parameters.AddWithValue("status", status);
        cmd.Parameters.AddWithValue("severity", severity);
        cmd.Parameters.AddWithValue("customers", customers);
        cmd.Parameters.AddWithValue("device", device);
        cmd.Parameters.AddWithValue("kind", kind);
        cmd.Parameters.AddWithValue("feeder", feeder);
        cmd.Parameters.AddWithValue("first", firstDetected);
        cmd.Parameters.AddWithValue("hazard", hazard);
        return (Guid)(await cmd.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no device {device} on {feeder}"));
    }

    /// <summary>The grid's rows, each as its event id.</summary>
    public static IReadOnlyList<string> EventIds<T>(IRenderedComponent<T> cut) where T : IComponent =>
        [.. cut.FindAll("[data-testid=outage-event]").Select(a => a.TextContent.Trim())];
}

/// <summary>
/// Records a JS module's calls as bUnit matches them and lets a test await them: the map calls
/// the browser after a render, and no render follows that would re-run a WaitForAssertion.
/// </summary>
internal sealed class JsCalls
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    // bUnit may ask a matcher more than once for one call: a call is its argument list.
    private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);
    private readonly List<JSRuntimeInvocation> _calls = [];
    private readonly List<(string Identifier, int Count, TaskCompletionSource Done)> _waiters = [];

    /// <summary>The matcher to give bUnit's setups: records the call and matches it.</summary>
    public bool Record(JSRuntimeInvocation invocation)
    {
        lock (_lock)
        {
            if (_seen.Add(invocation.Arguments))
            {
                _calls.Add(invocation);
                foreach (var waiter in _waiters.Where(w => Count(w.Identifier) >= w.Count))
                {
                    waiter.Done.TrySetResult();
                }
            }
        }
        return true;
    }

    /// <summary>The calls of one function, in order.</summary>
    public IReadOnlyList<JSRuntimeInvocation> Of(string identifier)
    {
        lock (_lock)
        {
            return [.. _calls.Where(c => c.Identifier == identifier)];
        }
    }

    /// <summary>Every call's function, in order.</summary>
    public IReadOnlyList<string> Sequence()
    {
        lock (_lock)
        {
            return [.. _calls.Select(c => c.Identifier)];
        }
    }

    /// <summary>Completes once <paramref name="identifier"/> has been called <paramref name="count"/> times.</summary>
    public async Task<IReadOnlyList<JSRuntimeInvocation>> WaitForAsync(string identifier, int count = 1)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (Count(identifier) >= count)
            {
                done.TrySetResult();
            }
            else
            {
                _waiters.Add((identifier, count, done));
            }
        }
        try
        {
            await done.Task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{identifier} was called {Count(identifier)} times within {Timeout}, not {count}; calls: {string.Join(", ", Sequence())}");
        }
        return Of(identifier);
    }

    private int Count(string identifier)
    {
        lock (_lock)
        {
            return _calls.Count(c => c.Identifier == identifier);
        }
    }
}

/// <summary>The product's correlation pass, run directly (the app's runner would also push).</summary>
internal sealed class PassOnly(CorrelationPass pass) : IPassRunner
{
    public Task<CorrelationPassResult> RunOnceAsync(DateTimeOffset? asOf, CancellationToken ct) => pass.RunAsync(asOf, ct);
}
