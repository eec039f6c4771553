using OmsDashboard.Data.Correlation;
using OmsDashboard.Data.Import;
using OmsDashboard.Data.Operations;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Correlation;

/// <summary>
/// Operator actions through the pass on a real database: stored, applied in event time, written
/// with the user, refused with the reason when the outage ended, replayed by a rebuild without
/// doubling anything, and never lost or applied twice when a pass dies half-way.
/// </summary>
public sealed class OperatorActionPassTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateMigratedAsync("actions");
        var imported = await new TopologyImporter(_db.DataSource).ImportFilesAsync(RepoPaths.Feeder("ieee8500", "nodes.csv"), RepoPaths.Feeder("ieee8500", "assets.csv"));
        Assert.True(imported.Succeeded);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private CorrelationPass NewPass() => new(_db.DataSource, TimeProvider.System);

    private async Task<Guid> OpenFuseOutageAsync(CorrelationPass pass)
    {
        await _db.StoreLastGaspsBelowAsync(StoredSignals.IeeeFuse, T0, "KF");
        await pass.RunAsync(T0.AddMinutes(5));
        return await _db.ScalarAsync<Guid>("SELECT id FROM oms_outage_events");
    }

    private async Task<long> ActAsync(OperatorActionRequest request)
    {
        var (action, error) = await OperatorActionStore.AddAsync(_db.DataSource, request, CancellationToken.None);
        Assert.Null(error);
        return action!.Id;
    }

    private Task<string> Fingerprint() => _db.ScalarAsync<string>("""
        SELECT (SELECT md5(coalesce(string_agg(o::text, '|' ORDER BY number), '')) FROM (SELECT number, status, device_id, etr, restored_at FROM oms_outage_events) o)
            || '/' || (SELECT count(*)::text FROM oms_event_timeline)
            || '/' || (SELECT coalesce(string_agg(id || state || coalesce(effective_at::text, '-'), ',' ORDER BY id), '') FROM oms_operator_actions)
        """);

    [Fact]
    public async Task Run_SetEtrAndRestore_AreWrittenWithTheUserInTheTimeline()
    {
        var pass = NewPass();
        var id = await OpenFuseOutageAsync(pass);

        long etr = await ActAsync(new OperatorActionRequest(id, OperatorActionType.SetEtr, "ops.anna", Etr: T0.AddHours(3), At: T0.AddMinutes(6)));
        await pass.RunAsync(T0.AddMinutes(7));
        long restore = await ActAsync(new OperatorActionRequest(id, OperatorActionType.Restore, "crew.bo", "fuse replaced", RestoredAt: T0.AddMinutes(40), At: T0.AddMinutes(45)));
        await pass.RunAsync(T0.AddMinutes(46));

        Assert.Equal(T0.AddHours(3), await _db.ScalarAsync<DateTimeOffset>("SELECT etr FROM oms_outage_events"));
        Assert.Equal("operator", await _db.ScalarAsync<string>("SELECT etr_source FROM oms_outage_events"));
        Assert.Equal(("restored", T0.AddMinutes(40)), (await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"),
            await _db.ScalarAsync<DateTimeOffset>("SELECT restored_at FROM oms_outage_events")));
        Assert.Equal("ops.anna", await _db.ScalarAsync<string>("SELECT actor FROM oms_event_timeline WHERE entry_type = 'etr'"));
        Assert.Equal("crew.bo", await _db.ScalarAsync<string>("SELECT actor FROM oms_event_timeline WHERE to_status = 'restored'"));
        Assert.Equal("applied,applied", await _db.ScalarAsync<string>($"SELECT string_agg(state, ',' ORDER BY id) FROM oms_operator_actions WHERE id IN ({etr}, {restore})"));
    }

    [Fact]
    public async Task Run_ActionOnAnOutageThatEndedMeanwhile_IsRefusedWithTheReason()
    {
        var pass = NewPass();
        var id = await OpenFuseOutageAsync(pass);
        await ActAsync(new OperatorActionRequest(id, OperatorActionType.Cancel, "ops.anna", "test alarm", At: T0.AddMinutes(6)));
        long late = await ActAsync(new OperatorActionRequest(id, OperatorActionType.SetEtr, "ops.bo", Etr: T0.AddHours(2), At: T0.AddMinutes(7)));

        await pass.RunAsync(T0.AddMinutes(8));

        Assert.Equal("cancelled", await _db.ScalarAsync<string>("SELECT status FROM oms_outage_events"));
        Assert.Equal("refused", await _db.ScalarAsync<string>($"SELECT state FROM oms_operator_actions WHERE id = {late}"));
        Assert.Contains("not active", await _db.ScalarAsync<string>($"SELECT error FROM oms_operator_actions WHERE id = {late}"));
    }

    [Fact]
    public async Task Rebuild_ReplaysTheActions_AndAnotherProcessWritesNothingNew()
    {
        var pass = NewPass();
        var id = await OpenFuseOutageAsync(pass);
        await ActAsync(new OperatorActionRequest(id, OperatorActionType.SetEtr, "ops.anna", Etr: T0.AddHours(3), At: T0.AddMinutes(6)));
        await ActAsync(new OperatorActionRequest(id, OperatorActionType.Move, "ops.anna", DeviceId: await ParentOfFuseAsync(), At: T0.AddMinutes(7)));
        await pass.RunAsync(T0.AddMinutes(8));
        string before = await Fingerprint();

        // A restarted process rebuilds the engine by replaying signals and actions; its first pass
        // must find nothing to change.
        var restarted = NewPass();
        var result = await restarted.RunAsync(T0.AddMinutes(8));

        Assert.Equal((0, 0), (result.Created, result.Restored));
        Assert.Equal(before, await Fingerprint());
        Assert.Equal(await ParentOfFuseAsync(), await _db.ScalarAsync<string>("SELECT device_id FROM oms_outage_events"));
        Assert.Equal(T0.AddHours(3), restarted.Engine!.ActiveOutages.Single().Etr);
    }

    [Fact]
    public async Task Run_KilledBeforeTheActionsStep_AppliesTheActionOnceOnTheNextPass()
    {
        var pass = NewPass();
        var id = await OpenFuseOutageAsync(pass);
        long etr = await ActAsync(new OperatorActionRequest(id, OperatorActionType.SetEtr, "ops.anna", Etr: T0.AddHours(3), At: T0.AddMinutes(6)));
        string untouched = await Fingerprint();
        pass.BeforeWriteStep = name => name == "actions" ? throw new IOException("killed") : Task.CompletedTask;

        await Assert.ThrowsAsync<IOException>(() => pass.RunAsync(T0.AddMinutes(7)));
        Assert.Equal(untouched, await Fingerprint());
        Assert.Equal("pending", await _db.ScalarAsync<string>($"SELECT state FROM oms_operator_actions WHERE id = {etr}"));

        pass.BeforeWriteStep = null;
        await pass.RunAsync(T0.AddMinutes(7));
        await pass.RunAsync(T0.AddMinutes(8));

        Assert.Equal("applied", await _db.ScalarAsync<string>($"SELECT state FROM oms_operator_actions WHERE id = {etr}"));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_event_timeline WHERE entry_type = 'etr'"));
    }

    private Task<string> ParentOfFuseAsync() =>
        _db.ScalarAsync<string>($"SELECT parent_device_id FROM network_devices WHERE id = '{StoredSignals.IeeeFuse}'");
}
