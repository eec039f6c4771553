using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Data.Identity;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Security;
using OmsDashboard.Web.Tests.Ingestion;

namespace OmsDashboard.Web.Tests.Security;

/// <summary>
/// <c>GET /map/feeder-lines</c> over HTTP on the running app: the outage map's background is behind
/// sign-in like the pages that draw it.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class FeederLinesEndpointTests(SignInHost host)
{
    [Fact]
    public async Task FeederLines_Anonymous_IsSentToSignInWithoutTheLines()
    {
        using var client = host.Browser();

        using var response = await client.GetAsync(FeederLines.Url);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/signin?ReturnUrl=%2Fmap%2Ffeeder-lines", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("feeders", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FeederLines_WithAnApiKeyOnly_IsRefused()
    {
        using var client = host.Browser();
        client.DefaultRequestHeaders.Add(ApiKeyDefaults.Header, IngestionHost.AllScopesKey);

        using var response = await client.GetAsync(FeederLines.Url);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/signin", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OmsRoles.Operator)]
    [InlineData(OmsRoles.CrewLead)]
    [InlineData(OmsRoles.Manager)]
    public async Task FeederLines_SignedInUser_GetsTheDocumentGzippedAndPrivatelyCached(string role)
    {
        using var client = await host.SignedInAsync(role);
        using var request = new HttpRequestMessage(HttpMethod.Get, FeederLines.Url);
        request.Headers.AcceptEncoding.ParseAdd("gzip");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Contains("private", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        await using var body = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var json = await JsonDocument.ParseAsync(body);
        // This app's database has no network: an empty list, but the document's shape.
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("feeders").ValueKind);

        using var again = new HttpRequestMessage(HttpMethod.Get, FeederLines.Url);
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }
}
