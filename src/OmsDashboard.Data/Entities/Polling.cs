namespace OmsDashboard.Data.Entities;

/// <summary>
/// One configured poller of a source system that does not push (docs/decisions/0009): where it
/// stands in its feed (<see cref="Cursor"/>) and how it is doing. Written by the poller only;
/// read by the source-health query. The row is made on the poller's first run.
/// </summary>
public sealed class OmsSourcePoller
{
    /// <summary>The configured name (<c>Oms:Polling:Sources:n:Name</c>).</summary>
    public required string Name { get; set; }

    /// <summary><c>scada</c>, <c>kaifa</c>, <c>onu</c> or <c>callcenter</c>.</summary>
    public required string Source { get; set; }

    /// <summary><c>http</c> or <c>postgres</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>
    /// Where the next pull starts: the feed's opaque <c>next</c> for HTTP, a JSON (value, key) pair
    /// for a table. Null before the first record. Advanced only after the records before it are stored.
    /// </summary>
    public string? Cursor { get; set; }

    /// <summary>The <c>occurredAt</c> of the newest record pulled (event time).</summary>
    public DateTimeOffset? LastRecordAt { get; set; }

    /// <summary>When a run last reached the end of the feed (or its page limit) without error.</summary>
    public DateTimeOffset? LastSuccessAt { get; set; }

    /// <summary>When a run last started.</summary>
    public DateTimeOffset? LastAttemptAt { get; set; }

    public DateTimeOffset? LastErrorAt { get; set; }

    /// <summary>What the last failed run reported (kept after recovery, as history).</summary>
    public string? LastError { get; set; }

    /// <summary>Runs that failed in a row; 0 once a run succeeds.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>Records stored that were new (duplicates not counted).</summary>
    public long RecordsTotal { get; set; }

    /// <summary>Records the feed sent that failed validation.</summary>
    public long RejectedTotal { get; set; }

    public DateTimeOffset? LastRejectedAt { get; set; }

    /// <summary>The last rejected record: where it was and what was wrong with it.</summary>
    public string? LastRejection { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A record a poller pulled and could not store: where it was in the feed and why.</summary>
public sealed class OmsSourcePollerRejection
{
    public long Id { get; set; }

    public required string PollerName { get; set; }

    public DateTimeOffset RejectedAt { get; set; }

    /// <summary>Where the record was: feed URL and index in <c>records</c>, or table and row key.</summary>
    public required string Location { get; set; }

    /// <summary>The record's id when it had a readable one.</summary>
    public string? RecordId { get; set; }

    public required string[] Errors { get; set; }
}

/// <summary>How a poller reaches its source.</summary>
public static class PollerKinds
{
    public const string Http = "http";
    public const string Postgres = "postgres";

    public static readonly string[] All = [Http, Postgres];
}
