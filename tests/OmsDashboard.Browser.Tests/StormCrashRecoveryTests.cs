using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Topology;
using OmsDashboard.Testing;

namespace OmsDashboard.Browser.Tests;

/// <summary>
/// Issue 4's "done means": the app process is killed (SIGKILL) while a storm is being posted to it
/// and started again on the same database; the source systems post again every batch they got no
/// answer for (a batch that was stored before the kill may so arrive twice). Every record must then
/// be stored exactly once, correlated once, and the storm's outages must be there. The real app
/// runs as a process (no browser needed); conditions are awaited, never timed.
/// </summary>
public sealed class StormCrashRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ApiKey = "oms-crash-test-key-9d1e5b7a3c2f4e6081a7b9c0d2e3f415";
    private const int BatchSize = 100;
    private const int Senders = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);
    private static readonly string[] Feeders = ["ieee8500", "epri_ckt24"];

    private TestDatabase _database = default!;
    private AppProcess? _app;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateMigratedAsync("crash");

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>
    /// Both demo feeders lock out (a mass outage, the storm simulator's signals: last gasps, dying
    /// gasps, calls, lockouts), an hour ago, so the app's own passes (clock = now) are past the
    /// 90-s hold and correlate as the batches come in — a pass may be cut off by the kill too.
    /// </summary>
    private static (List<Signal> Signals, List<string> FaultDevices) Storm()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var signals = new List<Signal>();
        var devices = new List<string>();
        foreach (string feeder in Feeders)
        {
            using var nodes = new StreamReader(RepoPaths.Feeder(feeder, "nodes.csv"), Encoding.UTF8);
            using var assets = new StreamReader(RepoPaths.Feeder(feeder, "assets.csv"), Encoding.UTF8);
            var network = TopologyFiles.Parse(nodes, "nodes.csv", assets, "assets.csv").Network!;
            var faults = StormScenarios.MassOutage(network, seed: 7, start, TimeSpan.FromMinutes(5));
            var storm = new StormSimulator(network, SimulatorOptions.Default, seed: 7).Simulate(faults);
            // The simulator numbers signals per storm: the feeder's name keeps the two storms' ids apart.
            signals.AddRange(storm.Signals.Select(s => s with { SourceId = $"{feeder}-{s.SourceId}" }));
            devices.AddRange(faults.Select(f => f.DeviceId));
        }
        return ([.. signals.OrderBy(s => s.ReceivedAt).ThenBy(s => s.SourceId, StringComparer.Ordinal)], devices);
    }

    private sealed record Answer(int Accepted, int Duplicates, int Rejected);

    [Fact]
    public async Task KilledDuringAStormIngest_RestartedAndUnansweredBatchesPostedAgain_EveryRecordStoredAndCorrelatedOnce()
    {
        var (signals, faultDevices) = Storm();
        var batches = ContractBatches.Build(signals, BatchSize, flushEvery: BatchSize);
        Assert.True(batches.Count >= 30, $"the storm gives only {batches.Count} batches");

        // First life: the demo network is imported at start; the storm is posted by four senders,
        // and the process is killed once a third of the batches have been answered.
        _app = await AppProcess.StartAsync(_database.ConnectionString, ApiKey);
        var answers = new ConcurrentDictionary<int, Answer>();
        int killAfter = batches.Count / 3;
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var http = Client(_app.BaseAddress))
        {
            int next = -1;
            var app = _app;
            var progress = new SenderProgress[Senders];
            var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
            {
                int i;
                progress[s] = new SenderProgress();
                while (!killed.Task.IsCompleted && (i = Interlocked.Increment(ref next)) < batches.Count)
                {
                    var answer = await TryPostAsync(http, batches[i], progress[s]);
                    if (answer is null) continue; // no answer: the source posts it again later
                    answers[i] = answer;
                    if (answers.Count >= killAfter && !killed.Task.IsCompleted)
                    {
                        progress[s].Doing = "killing the app";
                        await app.KillAsync();
                        killed.TrySetResult();
                    }
                }
                progress[s].Doing = "done";
            })).ToArray();
            try
            {
                await Task.WhenAll(senders).WaitAsync(Patience);
            }
            catch (TimeoutException)
            {
                // Say where each sender stands and what the database is waiting on: a hang here
                // is the product's (ingestion stuck) or the harness's, and the two read differently.
                throw new TimeoutException(
                    $"the senders did not finish in {Patience}: {answers.Count} of {batches.Count} batches answered, kill after {killAfter}, " +
                    $"app exited: {app.HasExited}\n" +
                    string.Join("\n", progress.Select((p, n) => $"sender {n}: {p}")) +
                    "\ndatabase activity:\n" + await ActivityAsync() + "\napp output:\n" + app.Output);
            }
        }
        Assert.True(_app.HasExited, "the app was not killed: every batch was answered first\n" + _app.Output);
        int answeredBeforeKill = answers.Count;
        Assert.InRange(answeredBeforeKill, killAfter, batches.Count - 1);

        // Second life on the same database. Every batch without an answer is posted again, and two
        // that were answered are posted again as well (a source that lost its own log).
        await _app.DisposeAsync();
        _app = await AppProcess.StartAsync(_database.ConnectionString, ApiKey);
        using var client = Client(_app.BaseAddress);
        var unanswered = batches.Where(b => !answers.ContainsKey(b.Number)).ToList();
        var reposted = new Dictionary<int, Answer>();
        foreach (var batch in unanswered)
        {
            reposted[batch.Number] = await TryPostAsync(client, batch)
                ?? throw new InvalidOperationException($"batch {batch.Number} got no answer after the restart\n{_app.Output}");
        }
        foreach (int n in answers.Keys.Order().Take(2))
        {
            var again = await TryPostAsync(client, batches[n]) ?? throw new InvalidOperationException("no answer");
            Assert.Equal(new Answer(0, batches[n].Signals.Count, 0), again);
        }

        // Accepted exactly once: every record's acceptance was counted by one answer at most, and
        // the records of unanswered batches are either accepted now or were stored before the kill.
        Assert.All(answers.Values.Concat(reposted.Values), a => Assert.Equal(0, a.Rejected));
        int acceptedBefore = answers.Values.Sum(a => a.Accepted);
        int acceptedAfter = reposted.Values.Sum(a => a.Accepted);
        int storedUnanswered = reposted.Values.Sum(a => a.Duplicates);
        output.WriteLine($"{signals.Count} records in {batches.Count} batches; {answeredBeforeKill} answered before the kill ({acceptedBefore} records accepted); " +
                         $"{unanswered.Count} posted again after the restart: {acceptedAfter} records accepted now, {storedUnanswered} already stored (in flight at the kill)");
        Assert.Equal(signals.Count, acceptedBefore + acceptedAfter + storedUnanswered);

        // Stored exactly once, by source id.
        var stored = await StoredIdsAsync();
        Assert.Empty(stored.Where(p => p.Value != 1).Select(p => p.Key));
        Assert.Equal(signals.Select(s => (s.Source, s.SourceId)).ToHashSet(), stored.Keys.ToHashSet());

        // A pass now (clock = now, an hour after the storm) correlates whatever is left.
        using (var pass = await client.PostAsync("/api/oms/correlate", null))
        {
            Assert.True(pass.IsSuccessStatusCode, $"correlate answered {(int)pass.StatusCode}: {await pass.Content.ReadAsStringAsync()}");
        }
        // Taken in (ADR 0010): every source table's watermark covers its newest signal, and each
        // signal is evidence of exactly one outage or has a recorded outcome (unmatched, no outage).
        Assert.True(await _database.ScalarAsync<bool>("""
            SELECT bool_and(coalesce(w.seq, 0) >= coalesce(m.seq, 0))
              FROM (SELECT 'scada' AS t, max(seq) AS seq FROM scada_events UNION ALL SELECT 'kaifa', max(seq) FROM kaifa_events
                    UNION ALL SELECT 'onu', max(seq) FROM onu_events UNION ALL SELECT 'callcenter', max(seq) FROM callcenter_tickets) m
              LEFT JOIN oms_correlation_watermarks w ON w.source_type = m.t
            """), "signals left behind the pass's watermarks");
        Assert.Equal(0L, await _database.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT source_type, source_event_id FROM oms_event_sources
                                   GROUP BY 1, 2 HAVING count(*) > 1) twice
            """));
        long evidence = await _database.ScalarAsync<long>("SELECT count(*) FROM oms_event_sources");
        long outcomes = await _database.ScalarAsync<long>("SELECT count(*) FROM oms_signal_outcomes o WHERE NOT EXISTS (SELECT 1 FROM oms_event_sources e WHERE e.source_type = o.source_type AND e.source_event_id = o.source_event_id)");
        output.WriteLine($"evidence {evidence}, other outcomes {outcomes}");
        Assert.True(evidence > 0.9 * signals.Count, $"too few signals correlated: {evidence} of {signals.Count}");
        Assert.True(evidence + outcomes <= signals.Count, "a signal counted twice");

        // The storm's outages: one confirmed outage at each locked-out feeder head.
        using var outages = JsonDocument.Parse(await client.GetStringAsync("/api/oms/outages?status=active&pageSize=500"));
        var items = outages.RootElement.GetProperty("items").EnumerateArray().ToList();
        foreach (string device in faultDevices)
        {
            var outage = Assert.Single(items, o => o.GetProperty("deviceId").GetString() == device);
            Assert.Equal("confirmed", outage.GetProperty("status").GetString());
        }
    }

    private static HttpClient Client(Uri baseAddress)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = Patience };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    /// <summary>
    /// Posts a batch as a source system does: on <c>429</c> it waits Retry-After and tries again;
    /// a dropped connection or a refused one (the process is gone) is no answer (null).
    /// </summary>
    private static async Task<Answer?> TryPostAsync(HttpClient http, ContractBatch batch, SenderProgress? progress = null)
    {
        while (true)
        {
            progress?.Posting(batch.Number);
            using var content = new ByteArrayContent(batch.Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync(batch.Path, content);
            }
            catch (HttpRequestException)
            {
                return null;
            }
            using (response)
            {
                string body;
                try
                {
                    body = await response.Content.ReadAsStringAsync();
                }
                catch (HttpRequestException)
                {
                    return null; // cut off while the answer was read: the source cannot know it was stored
                }
                progress?.Answered((int)response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                    continue;
                }
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"batch {batch.Number} answered {(int)response.StatusCode}: {body}");
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                return new Answer(root.GetProperty("accepted").GetInt32(), root.GetProperty("duplicates").GetInt32(), root.GetProperty("rejected").GetArrayLength());
            }
        }
    }

    /// <summary>What one sender is doing, for the message of a run that does not finish.</summary>
    private sealed class SenderProgress
    {
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private int _answers, _tooBusy;
        public volatile string Doing = "starting";

        public void Posting(int batch)
        {
            Doing = $"posting batch {batch}";
            _since.Restart();
        }

        public void Answered(int status)
        {
            Interlocked.Increment(ref _answers);
            if (status == 429) Interlocked.Increment(ref _tooBusy);
            Doing += $", answered {status}";
        }

        public override string ToString() =>
            $"{Doing} ({_since.Elapsed.TotalSeconds:F1} s ago); {_answers} answers, {_tooBusy} of them 429";
    }

    /// <summary>The test database's sessions and what each waits on.</summary>
    private async Task<string> ActivityAsync()
    {
        try
        {
            return await _database.ScalarAsync<string>("""
                SELECT coalesce(string_agg(format('pid %s %s %s/%s for %s: %s', pid, state, wait_event_type, wait_event,
                                                  now() - coalesce(query_start, backend_start), left(query, 160)), E'\n'), 'none')
                  FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                """);
        }
        catch (Exception e)
        {
            return "could not read pg_stat_activity: " + e.Message;
        }
    }

    /// <summary>How many rows each (source, source id) has across the four source tables.</summary>
    private async Task<Dictionary<(SourceSystem, string), long>> StoredIdsAsync()
    {
        var ids = new Dictionary<(SourceSystem, string), long>();
        await using var cmd = _database.DataSource.CreateCommand("""
            SELECT 0, event_id, count(*) FROM scada_events GROUP BY event_id
            UNION ALL SELECT 1, event_id, count(*) FROM kaifa_events GROUP BY event_id
            UNION ALL SELECT 2, event_id, count(*) FROM onu_events GROUP BY event_id
            UNION ALL SELECT 3, ticket_id, count(*) FROM callcenter_tickets GROUP BY ticket_id
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids[((SourceSystem)reader.GetInt32(0), reader.GetString(1))] = reader.GetInt64(2);
        }
        return ids;
    }
}
