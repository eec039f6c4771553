using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OmsDashboard.Testing;

/// <summary>
/// The real app as a child process (<c>dotnet OmsDashboard.Web.dll</c>, Production) on a given
/// database, as an operator runs it: for the load harness and for tests that kill it. The project
/// that links this file references OmsDashboard.Web, which copies the app's build (dll, deps,
/// runtimeconfig, static web assets manifest) into that project's output folder; that build is run.
/// The app migrates the database itself; it imports the demo feeders only when the database has
/// no network yet.
/// </summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private const int KeptLines = 400;

    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Process _process;

    private AppProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = default!;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The app's last lines of output, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts the app on <paramref name="connectionString"/> with <paramref name="apiKey"/> as its
    /// every-scope key, on <paramref name="url"/> (port 0: any free port), and waits until it listens.
    /// <paramref name="environment"/> adds or overrides settings (e.g. <c>Oms__Ingestion__…</c>).
    /// </summary>
    public static async Task<AppProcess> StartAsync(string connectionString, string apiKey, string url = "http://127.0.0.1:0",
        IReadOnlyDictionary<string, string>? environment = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "OmsDashboard.Web.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { dll, "--urls", url })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["OMS_CONNECTION_STRING"] = connectionString;
        start.Environment["OMS_INGEST_API_KEY"] = apiKey;
        // Only the caller's signals: no simulated feed, whatever the shell says.
        start.Environment["OMS_DEMO_FEED"] = "false";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");
        // The address is read from this log line: keep it whatever appsettings.json says.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process);
        process.OutputDataReceived += (_, e) => app.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => app.OnOutput(e.Data);
        process.Exited += (_, _) => app._listening.TrySetException(
            new InvalidOperationException($"the app exited before listening:{Environment.NewLine}{app.Output}"));
        if (!process.Start())
        {
            throw new InvalidOperationException("could not start " + dll);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            app.BaseAddress = await app._listening.Task.WaitAsync(StartTimeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > KeptLines && _output.TryDequeue(out _))
        {
        }
        if (ListeningLine().Match(line) is { Success: true } m)
        {
            _listening.TrySetResult(new Uri(m.Groups[1].Value));
        }
    }

    /// <summary>
    /// SIGKILL, as a crash or the OOM killer would: no shutdown hooks, no flush, open transactions
    /// cut off. Returns when the process is gone.
    /// </summary>
    public Task KillAsync() => KillAndWaitAsync(_process);

    /// <summary>
    /// SIGKILL to <paramref name="process"/> and its children, and waits until it has exited (at most
    /// <see cref="KillTimeout"/>). Not <see cref="Process.WaitForExitAsync"/>: with redirected output
    /// it also waits for the end of the output pipes, and a test run hung there for minutes on a
    /// process already reported as exited (dotnet/runtime#51277 describes the same wait). Whatever
    /// holds the pipe, the process is gone; its last lines of output are not needed after a kill.
    /// </summary>
    public static async Task KillAndWaitAsync(Process process)
    {
        if (!process.HasExited)
        {
            // Process.Kill sends SIGKILL on Unix.
            process.Kill(entireProcessTree: true);
        }
        var waited = Stopwatch.StartNew();
        // WaitForExit with a finite timeout does not wait for the output pipes.
        while (!process.WaitForExit(0))
        {
            if (waited.Elapsed > KillTimeout)
            {
                throw new TimeoutException($"process {process.Id} had not exited {KillTimeout.TotalSeconds:F0} s after SIGKILL");
            }
            await Task.Delay(20);
        }
    }

    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(30);

    /// <summary>CPU time the app used so far (user + system), to tell the app's share from the client's.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
