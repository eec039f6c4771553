using System.Data.Common;
using Microsoft.AspNetCore.Components;
using Npgsql;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Features.Shared;

public sealed partial class StormBanner
{
    /// <summary>How often "since … (2 h 10 min)" is brought up to date.</summary>
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private StormUpdate _storm = StormModeQuery.Off;
    private bool _pushed;
    private IDisposable? _subscription;
    private ITimer? _timer;

    [Inject] private NpgsqlDataSource DataSource { get; set; } = default!;
    [Inject] private OutageNotifier Notifier { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<StormBanner> Logger { get; set; } = default!;

    private DateTimeOffset Now => Time.GetUtcNow();

    protected override async Task OnInitializedAsync()
    {
        // Subscribe before reading, so a switch between the read and the subscription is not lost.
        _subscription = Notifier.Subscribe(storm: OnStormAsync);
        try
        {
            var stored = await StormModeQuery.GetAsync(DataSource);
            // A push that arrived while the row was being read is newer than the row.
            if (!_pushed)
            {
                _storm = stored;
            }
        }
        catch (DbException e)
        {
            // The banner sits on every page: a database hiccup must not take the layout down.
            Logger.LogWarning(e, "Storm mode could not be read; the banner follows the push only");
        }
        _timer = Time.CreateTimer(_ => _ = RefreshAsync(), null, RefreshInterval, RefreshInterval);
    }

    private async Task OnStormAsync(StormUpdate storm)
    {
        try
        {
            await InvokeAsync(() =>
            {
                _pushed = true;
                _storm = storm;
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away while the push was on its way.
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            await InvokeAsync(StateHasChanged);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _timer?.Dispose();
    }
}
