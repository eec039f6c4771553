using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Tests.Security;

public sealed class ApiKeyOptionsTests
{
    private static IReadOnlyList<string> Errors(ApiKeyOptions o) => new ValidateApiKeyOptions().Validate(null, o).Failures?.ToList() ?? [];

    private static ConfiguredApiKey Key(string name, string key, string[] scopes, string[]? sources = null) =>
        new() { Name = name, Key = key, Scopes = [.. scopes], Sources = [.. sources ?? []] };

    [Fact]
    public void Validate_Defaults_Pass() => Assert.Empty(Errors(new ApiKeyOptions()));

    [Fact]
    public void Validate_GoodKeys_Pass() => Assert.Empty(Errors(new ApiKeyOptions
    {
        ApiKeys = [Key("scada-gw", "k1-0123456789abcdef", ["ingest"], ["scada"]), Key("wallboard", "k2-0123456789abcdef", ["read"])],
        ApiKeyCacheDuration = TimeSpan.Zero,
    }));

    [Fact]
    public void Validate_BadKeys_NameEveryProblem()
    {
        var errors = Errors(new ApiKeyOptions
        {
            ApiKeys =
            [
                Key("", "", []),
                Key("a", "same-key", ["Read", "write"], ["weather"]),
                Key("a", "same-key", ["read"], ["kaifa"]),
                Key("embedded-default", "other", ["read"]),
            ],
            ApiKeyCacheDuration = TimeSpan.FromMinutes(2),
        });

        Assert.Equal([
            "Oms:ApiKeyCacheDuration must be between 00:00:00 and 00:01:00 (a revoked key must stop working within seconds); it is 00:02:00.",
            "Oms:ApiKeys:0:Name must be 1 to 200 characters.",
            "Oms:ApiKeys:0:Key must be 1 to 512 characters.",
            "Oms:ApiKeys:0:Scopes is empty: give some of ingest, read, operate, admin.",
            "Oms:ApiKeys:1:Scopes: 'Read' is not one of ingest, read, operate, admin.",
            "Oms:ApiKeys:1:Scopes: 'write' is not one of ingest, read, operate, admin.",
            "Oms:ApiKeys:1:Sources: 'weather' is not one of scada, kaifa, onu, callcenter.",
            "Oms:ApiKeys:1:Sources limits ingestion, but the key has no 'ingest' scope.",
            "Oms:ApiKeys:2:Name 'a' is used twice (or is the reserved 'embedded-default').",
            "Oms:ApiKeys:2:Key is the same as another configured key's.",
            "Oms:ApiKeys:2:Sources limits ingestion, but the key has no 'ingest' scope.",
            "Oms:ApiKeys:3:Name 'embedded-default' is used twice (or is the reserved 'embedded-default').",
        ], errors);
    }
}
