using System.Text;
using DotNet.Testcontainers.Containers;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>
/// Base of every fixture: starts its containers unless the environment is missing (tests then skip or fail via
/// <see cref="EnsureAvailableAsync"/>), and removes everything it started, also when starting failed part-way.
/// Ryuk is off, so nothing else would clean up.
/// </summary>
public abstract class ContainerFixture : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> resources = [];
    private bool started;

    public async Task InitializeAsync()
    {
        if (await IntegrationEnvironment.UnavailableReasonAsync() is not null)
        {
            return;
        }
        try
        {
            await StartAsync();
            started = true;
        }
        catch
        {
            await DisposeResourcesAsync();
            throw;
        }
    }

    public Task DisposeAsync() => DisposeResourcesAsync();

    /// <summary>Call first in each test: skips (CI: fails) when there is no engine; fails when the fixture did not start.</summary>
    public async Task EnsureAvailableAsync()
    {
        await IntegrationEnvironment.EnsureAvailableAsync();
        if (!started)
        {
            Assert.Fail($"{GetType().Name} did not start");
        }
    }

    protected abstract Task StartAsync();

    /// <summary>Registers a container/network for removal (in reverse order) when the fixture is disposed.</summary>
    protected T Track<T>(T resource)
        where T : IAsyncDisposable
    {
        lock (resources)
        {
            resources.Add(resource);
        }
        return resource;
    }

    /// <summary>Starts a tracked container; on failure the exception carries the container's log.</summary>
    protected static async Task StartWithLogsAsync(IContainer container, string what)
    {
        try
        {
            await container.StartAsync();
        }
        catch (Exception e)
        {
            string logs;
            try
            {
                var (stdout, stderr) = await container.GetLogsAsync();
                logs = stdout + stderr;
            }
            catch (Exception logError)
            {
                logs = $"(no logs: {logError.Message})";
            }
            throw new InvalidOperationException($"{what} did not start: {e.Message}\n--- container log ---\n{logs}", e);
        }
    }

    protected static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private async Task DisposeResourcesAsync()
    {
        IAsyncDisposable[] toDispose;
        lock (resources)
        {
            toDispose = [.. resources];
            resources.Clear();
        }
        List<Exception> errors = [];
        foreach (var resource in toDispose.Reverse())
        {
            try
            {
                await resource.DisposeAsync();
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }
        if (errors.Count > 0)
        {
            throw new AggregateException("cleaning up integration test containers failed", errors);
        }
    }
}
