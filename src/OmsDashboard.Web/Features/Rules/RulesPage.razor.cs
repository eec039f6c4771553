using System.Data.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OmsDashboard.Data.Rules;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Features.Rules;

public sealed partial class RulesPage
{
    private const int AuditPageSize = 15;

    private static readonly SettingDefinition[] StormSettings =
        [.. RuleCatalog.All.Where(s => s.Entity == RuleCatalog.StormEntity)];

    private RulesForm? _form;
    private string? _loadError;
    private string? _conflict;
    private bool _busy;
    private bool _canEdit;
    private AuditPage _audit = new([], 0);
    private int _auditPage;
    private StormOverride _overrideChoice;
    private string? _overrideReason;
    private string? _overrideError;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;
    [Inject] private RulesStore Store { get; set; } = default!;
    [Inject] private RulesAnnouncer Announcer { get; set; } = default!;
    [Inject] private IAuthorizationService Authorization { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<RulesPage> Logger { get; set; } = default!;

    private DateTimeOffset Now => Time.GetUtcNow();

    private int AuditPages => (int)Math.Max(1, (_audit.Total + AuditPageSize - 1) / AuditPageSize);

    // As in RuleField: the text field's own validation repeats the form's verdict, so it cannot
    // clear a message the form just gave (MudBlazor validates after an Immediate value change).
    private readonly Func<string?, string?> _reasonVerdict;

    public RulesPage() => _reasonVerdict = _ => _form?.Error(RulesValidator.ReasonKey);

    protected override async Task OnInitializedAsync()
    {
        _canEdit = await CanEditAsync();
        await ReloadAsync();
    }

    private async Task<bool> CanEditAsync()
    {
        var state = await AuthenticationState;
        return (await Authorization.AuthorizeAsync(state.User, OmsPolicies.EditRules)).Succeeded;
    }

    private async Task<string> UserNameAsync() => (await AuthenticationState).User.Identity?.Name is { Length: > 0 } name ? name : "unknown";

    private async Task ReloadAsync()
    {
        try
        {
            var snapshot = await Store.LoadAsync();
            if (_form is null) _form = new RulesForm(snapshot);
            else _form.Load(snapshot);
            _overrideChoice = snapshot.Override;
            _overrideReason = null;
            _overrideError = null;
            _conflict = null;
            _loadError = null;
            await LoadAuditAsync(0);
        }
        catch (DbException e)
        {
            Logger.LogWarning(e, "Rules could not be loaded");
            _loadError = e.Message;
        }
    }

    private async Task LoadAuditAsync(int page)
    {
        _auditPage = Math.Max(0, page);
        _audit = await Store.AuditAsync(_auditPage, AuditPageSize);
    }

    private bool IsActiveRuleSet(string key) => _form!.Basis.Storm.RuleSet == key;

    private static string RuleSetHint(string key) => key switch
    {
        "storm" => "While storm mode is on: wider windows and a lower bar, so a flood of signals groups instead of scattering.",
        "scada_priority" => "For outages a SCADA operation confirmed: tight window and radius, high bar.",
        _ => "Normal operation: whenever storm mode is off.",
    };

    private static string ModeLabel(StormOverride mode) => mode switch
    {
        StormOverride.On => "Force on",
        StormOverride.Off => "Force off",
        _ => "Automatic",
    };

    private void ChooseOverride(StormOverride mode)
    {
        _overrideChoice = mode;
        _overrideError = null;
    }

    private void Discard()
    {
        _form!.Load(_form.Basis);
    }

    private async Task SaveAsync()
    {
        if (_form is null || !_form.CanSave || _busy) return;
        // The buttons are only rendered for editors; the check is repeated here because a circuit's
        // events come from a browser.
        if (!await CanEditAsync())
        {
            Snackbar.Add("You may not change rules.", Severity.Error);
            return;
        }
        _busy = true;
        try
        {
            var outcome = await Store.SaveAsync(_form.Basis, _form.Values, await UserNameAsync(), _form.Reason);
            switch (outcome.Status)
            {
                case SaveStatus.Saved:
                    Announcer.RulesSaved();
                    Snackbar.Add(outcome.Message, Severity.Success);
                    await ReloadAsync();
                    break;
                case SaveStatus.Invalid:
                    _form.ShowServerErrors(outcome.Errors);
                    Snackbar.Add(outcome.Message, Severity.Error);
                    break;
                case SaveStatus.Conflict:
                    _conflict = outcome.Message;
                    break;
                default:
                    Snackbar.Add(outcome.Message, Severity.Info);
                    break;
            }
        }
        catch (DbException e)
        {
            Logger.LogError(e, "Rules could not be saved");
            Snackbar.Add("Nothing was saved: the database did not answer. Try again.", Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ApplyOverrideAsync()
    {
        if (_form is null || _busy) return;
        if (RulesValidator.ValidateReason(_overrideReason, required: true) is { } error)
        {
            _overrideError = error;
            return;
        }
        if (!await CanEditAsync())
        {
            Snackbar.Add("You may not switch storm mode.", Severity.Error);
            return;
        }
        var mode = _overrideChoice;
        string consequence = mode switch
        {
            StormOverride.On => "Storm rules apply to every new signal until someone switches back, whatever the signal volume.",
            StormOverride.Off => "Standard rules apply until someone switches back, even if the signal volume reaches the storm threshold.",
            _ => "The signal-volume thresholds decide again from the next correlation pass.",
        };
        bool? confirmed = await Dialogs.ShowMessageBoxAsync(
            $"{ModeLabel(mode)}?",
            $"{consequence} Every operator sees this in the storm banner; it is recorded with your name and reason.",
            yesText: ModeLabel(mode), cancelText: "Cancel");
        if (confirmed != true) return;

        _busy = true;
        try
        {
            var outcome = await Store.SetStormOverrideAsync(mode, _overrideReason, await UserNameAsync(), _form.Basis.StormSettingsVersion);
            switch (outcome.Status)
            {
                case SaveStatus.Saved:
                    await Announcer.StormOverriddenAsync(outcome.Storm!);
                    Snackbar.Add(outcome.Message, Severity.Success);
                    await ReloadAsync();
                    break;
                case SaveStatus.Invalid:
                    _overrideError = outcome.Errors.Values.FirstOrDefault();
                    break;
                case SaveStatus.Conflict:
                    _conflict = outcome.Message;
                    break;
                default:
                    Snackbar.Add(outcome.Message, Severity.Info);
                    break;
            }
        }
        catch (DbException e)
        {
            Logger.LogError(e, "Storm override could not be saved");
            Snackbar.Add("Storm mode was not switched: the database did not answer. Try again.", Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }
}
