using OmsDashboard.Web.Ingestion;

namespace OmsDashboard.Web.Tests.Ingestion;

public sealed class IngestionOptionsTests
{
    private static IReadOnlyList<string> Errors(IngestionOptions o) => new ValidateIngestionOptions().Validate(null, o).Failures?.ToList() ?? [];

    [Fact]
    public void Validate_Defaults_Pass() => Assert.Empty(Errors(new IngestionOptions()));

    [Fact]
    public void Validate_SmallestBounds_Pass() => Assert.Empty(Errors(new IngestionOptions
    {
        MaxConcurrentBatches = 1, MaxQueuedBatches = 0, MaxQueueWait = TimeSpan.Zero, RetryAfter = TimeSpan.FromSeconds(1), MaxBodyBytes = 1024,
    }));

    [Fact]
    public void Validate_OutOfRange_NamesEverySetting()
    {
        var errors = Errors(new IngestionOptions
        {
            MaxConcurrentBatches = 0, MaxQueuedBatches = -1, MaxQueueWait = TimeSpan.FromMinutes(6), RetryAfter = TimeSpan.FromMilliseconds(500), MaxBodyBytes = 10,
        });

        Assert.Equal(
            ["MaxConcurrentBatches", "MaxQueuedBatches", "MaxQueueWait", "RetryAfter", "MaxBodyBytes"],
            errors.Select(e => e.Split(':')[2].Split(' ')[0]));
    }
}
