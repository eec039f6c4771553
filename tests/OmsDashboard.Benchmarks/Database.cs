using System.Diagnostics;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using OmsDashboard.Data;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Benchmarks;

/// <summary>
/// The measurement server: creates, clones and drops the harness's own databases (all named
/// <c>bench_*</c>); whatever it created is dropped on <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class BenchServer(string adminConnectionString) : IAsyncDisposable
{
    private readonly List<string> _created = [];
    private int _counter;

    public string AdminConnectionString { get; } = adminConnectionString;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, IncludeErrorDetail = true }.ConnectionString;

    /// <summary>Version and the settings that decide write speed.</summary>
    public async Task<string> DescribeAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT split_part(version(), ' on ', 1), current_setting('fsync'), current_setting('synchronous_commit'),
                   current_setting('full_page_writes'), current_setting('shared_buffers'), current_setting('max_wal_size'),
                   current_setting('work_mem')
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString);
        return $"{reader.GetString(0)} at {builder.Host}:{builder.Port}: fsync={reader.GetString(1)}, synchronous_commit={reader.GetString(2)}, " +
               $"full_page_writes={reader.GetString(3)}, shared_buffers={reader.GetString(4)}, max_wal_size={reader.GetString(5)}, work_mem={reader.GetString(6)}";
    }

    public string NewName(string purpose) => $"bench_{purpose}_{Environment.ProcessId}_{++_counter}";

    /// <summary>A fresh database with every migration applied.</summary>
    public async Task<string> CreateMigratedAsync(string purpose)
    {
        string name = await CreateAsync(purpose, null);
        await using var ds = OmsDatabase.CreateDataSource(ConnectionString(name));
        await OmsDatabase.MigrateAsync(ds);
        return name;
    }

    /// <summary>A copy of <paramref name="template"/> (CREATE DATABASE … TEMPLATE: no one may be connected to it).</summary>
    public Task<string> CloneAsync(string template, string purpose) => CreateAsync(purpose, template);

    private async Task<string> CreateAsync(string purpose, string? template)
    {
        string name = NewName(purpose);
        NpgsqlConnection.ClearAllPools();
        await ExecAdminAsync($"CREATE DATABASE \"{name}\"" + (template is null ? "" : $" TEMPLATE \"{template}\""));
        _created.Add(name);
        return name;
    }

    /// <summary>Leaves a database in place at the end.</summary>
    public void Forget(string name) => _created.Remove(name);

    public async Task DropAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecAdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        _created.Remove(name);
    }

    private async Task ExecAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (string name in _created.ToList())
        {
            try
            {
                await DropAsync(name);
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"could not drop {name}: {e.Message}");
            }
        }
    }
}

internal static class Sql
{
    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource ds, string sql)
    {
        await using var cmd = ds.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        var value = await cmd.ExecuteScalarAsync();
        return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Rows of two columns as "a b, c d" (for small group-by summaries).</summary>
    public static async Task<string> PairsAsync(NpgsqlDataSource ds, string sql)
    {
        await using var cmd = ds.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        await using var reader = await cmd.ExecuteReaderAsync();
        var parts = new List<string>();
        while (await reader.ReadAsync())
        {
            parts.Add($"{reader.GetValue(0)} {reader.GetValue(1)}");
        }
        return string.Join(", ", parts);
    }
}

/// <summary>Stores signals in the four source tables with binary COPY, as an ingestion pipeline would.</summary>
internal static class SignalStore
{
    /// <summary>Binary COPY of <paramref name="signals"/>, one COPY per source table; then ANALYZE unless <paramref name="analyze"/> is false (timed with it).</summary>
    public static async Task<TimeSpan> CopyAsync(NpgsqlDataSource ds, IReadOnlyList<Signal> signals, bool analyze = true)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await ds.OpenConnectionAsync();
        foreach (var group in signals.GroupBy(s => s.Source))
        {
            string copy = group.Key switch
            {
                SourceSystem.Scada => "COPY scada_events (event_id, device_id, event_type, occurred_at, received_at) FROM STDIN (FORMAT BINARY)",
                SourceSystem.Kaifa => "COPY kaifa_events (event_id, meter_id, event_type, occurred_at, received_at) FROM STDIN (FORMAT BINARY)",
                SourceSystem.Onu => "COPY onu_events (event_id, onu_id, event_type, occurred_at, received_at) FROM STDIN (FORMAT BINARY)",
                _ => "COPY callcenter_tickets (ticket_id, category, occurred_at, received_at, account_number, location) FROM STDIN (FORMAT BINARY)",
            };
            await using var writer = await connection.BeginBinaryImportAsync(copy);
            writer.Timeout = TimeSpan.Zero;
            foreach (var s in group)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(s.SourceId, NpgsqlDbType.Text);
                if (group.Key != SourceSystem.Callcenter)
                {
                    await writer.WriteAsync(s.AssetId!, NpgsqlDbType.Text);
                }
                await writer.WriteAsync(s.TypeName, NpgsqlDbType.Text);
                await writer.WriteAsync(s.OccurredAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(s.ReceivedAt, NpgsqlDbType.TimestampTz);
                if (group.Key == SourceSystem.Callcenter)
                {
                    if (s.AccountNumber is null) await writer.WriteNullAsync();
                    else await writer.WriteAsync(s.AccountNumber, NpgsqlDbType.Text);
                    if (s.Lat is { } lat && s.Lon is { } lon) await writer.WriteAsync(new Point(lon, lat) { SRID = 4326 }, NpgsqlDbType.Geography);
                    else await writer.WriteNullAsync();
                }
            }
            await writer.CompleteAsync();
        }
        if (analyze)
        {
            await using var command = new NpgsqlCommand("ANALYZE scada_events, kaifa_events, onu_events, callcenter_tickets", connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
        return clock.Elapsed;
    }
}
