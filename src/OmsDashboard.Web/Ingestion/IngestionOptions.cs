using Microsoft.Extensions.Options;

namespace OmsDashboard.Web.Ingestion;

/// <summary>Settings of <c>Oms:Ingestion</c>: how much ingestion work the server takes at once.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Oms:Ingestion";

    /// <summary>Records in one batch, at most (contract §2); more is <c>413</c>.</summary>
    public const int MaxRecordsPerBatch = 10_000;

    /// <summary>
    /// Batches parsed and written at the same time. Each holds a database connection and its body
    /// in memory; on two cores more than a few only make each slower. Defaults to 4.
    /// </summary>
    public int MaxConcurrentBatches { get; set; } = 4;

    /// <summary>Batches that may wait for a turn (their bodies not yet read); one more is <c>429</c>. Defaults to 64.</summary>
    public int MaxQueuedBatches { get; set; } = 64;

    /// <summary>How long a batch waits for a turn before it is answered <c>429</c>. Defaults to 10 seconds; 0 = no waiting.</summary>
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>Retry-After</c> of a <c>429</c> (whole seconds, rounded up). Defaults to 1 second.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The largest request body, in bytes; larger is <c>413</c>. Defaults to 32 MiB: 10,000 records
    /// with every text field at its length cap still fit.
    /// </summary>
    public long MaxBodyBytes { get; set; } = 32L * 1024 * 1024;
}

/// <summary>Start-up validation of <see cref="IngestionOptions"/>.</summary>
public sealed class ValidateIngestionOptions : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions o)
    {
        var errors = new List<string>();
        if (o.MaxConcurrentBatches is < 1 or > 1024)
        {
            errors.Add($"{IngestionOptions.Section}:MaxConcurrentBatches must be between 1 and 1024; it is {o.MaxConcurrentBatches}.");
        }
        if (o.MaxQueuedBatches is < 0 or > 100_000)
        {
            errors.Add($"{IngestionOptions.Section}:MaxQueuedBatches must be between 0 and 100000; it is {o.MaxQueuedBatches}.");
        }
        if (o.MaxQueueWait < TimeSpan.Zero || o.MaxQueueWait > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{IngestionOptions.Section}:MaxQueueWait must be between 00:00:00 and 00:05:00; it is {o.MaxQueueWait}.");
        }
        if (o.RetryAfter < TimeSpan.FromSeconds(1) || o.RetryAfter > TimeSpan.FromHours(1))
        {
            errors.Add($"{IngestionOptions.Section}:RetryAfter must be between 00:00:01 and 01:00:00; it is {o.RetryAfter}.");
        }
        if (o.MaxBodyBytes is < 1024 or > 1L << 30)
        {
            errors.Add($"{IngestionOptions.Section}:MaxBodyBytes must be between 1024 and 1073741824; it is {o.MaxBodyBytes}.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
