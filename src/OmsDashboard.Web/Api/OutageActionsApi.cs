using Microsoft.AspNetCore.Http.HttpResults;
using OmsDashboard.Data.Operations;
using OmsDashboard.Web.Correlation;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Api;

/// <summary>
/// <c>POST /api/oms/outages/{id}/actions</c>: an operator action on an outage (an extension of
/// the contract; see docs/api-actions.md). Answers with what the engine did with it.
/// </summary>
internal static class OutageActionsApi
{
    public static RouteGroupBuilder MapOutageActionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/oms").WithTags("Outages");
        group.MapPost("/outages/{id:guid}/actions", ActAsync)
            .RequireAuthorization(OmsPolicies.Operate)
            .WithName("ActOnOutage")
            .WithSummary("Confirm, cancel (false alarm), merge another outage in, move the prediction, mark restored, or set the ETR.");
        return group;
    }

    private static async Task<Results<Ok<OutageActionResult>, ValidationProblem, ProblemHttpResult>> ActAsync(
        Guid id, OutageActionBody body, HttpContext http, OutageActionService actions, CancellationToken ct)
    {
        if (!OperatorActionStore.TryParse(body.Action, out var type))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["action"] = [$"'{body.Action}' is not one of confirm, cancel, merge, move, restore, set_etr"],
            }, title: "Invalid outage action");
        }
        string user = http.User.Identity?.Name ?? "unknown";
        try
        {
            var result = await actions.ActAsync(new OperatorActionRequest(id, type, user, body.Reason, body.DeviceId, body.MergeOutageId, body.RestoredAt, body.Etr), ct);
            if (result.State == "refused")
            {
                return TypedResults.Problem(statusCode: 409, title: "The engine refused the action", detail: result.Error,
                    extensions: new Dictionary<string, object?> { ["actionId"] = result.ActionId });
            }
            return TypedResults.Ok(result);
        }
        catch (OutageActionRejected e) when (e.Status == 400)
        {
            return TypedResults.ValidationProblem(e.Errors, title: e.Title);
        }
        catch (OutageActionRejected e)
        {
            return TypedResults.Problem(statusCode: e.Status, title: e.Title, detail: string.Join("; ", e.Errors.SelectMany(x => x.Value)));
        }
    }
}

/// <summary>The body of an outage action.</summary>
/// <param name="Action">confirm, cancel, merge, move, restore or set_etr.</param>
/// <param name="Reason">Why (required to cancel as a false alarm).</param>
/// <param name="DeviceId">move: where the fault is.</param>
/// <param name="MergeOutageId">merge: the outage that merges into this one.</param>
/// <param name="RestoredAt">restore: when power came back (default now).</param>
/// <param name="Etr">set_etr: the estimated restoration time.</param>
internal sealed record OutageActionBody(string? Action, string? Reason, string? DeviceId, Guid? MergeOutageId, DateTimeOffset? RestoredAt, DateTimeOffset? Etr);
