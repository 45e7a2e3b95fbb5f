using System.Diagnostics;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;
using Microsoft.Extensions.Time.Testing;

namespace DotnetRemote.Core.Tests.IO;

/// <summary>
/// A writer waits for another process's lock asynchronously, on the context's clock, for 30 s at most. A fake clock
/// proves the limit without waiting for it. (A second open file in this process stands for the other process: flock
/// locks belong to open files, so it conflicts just the same.)
/// </summary>
public sealed class ConfigFileLockWaitTests : IDisposable
{
    private readonly TestMachine _machine = new();
    private readonly FakeTimeProvider _time = new();

    public ConfigFileLockWaitTests() => Directory.CreateDirectory(_machine.ConfigDir);

    public void Dispose() => _machine.Dispose();

    /// <summary>Moves the fake clock in 50 ms steps until <paramref name="task"/> ends; returns how far it moved.</summary>
    private async Task<TimeSpan> RunClockUntil(Task task, TimeSpan limit)
    {
        var started = _time.GetUtcNow();
        while (!task.IsCompleted && _time.GetUtcNow() - started < limit)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }

        // The last attempt runs on the thread pool after the final step: give it real time to finish.
        await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10)));
        return _time.GetUtcNow() - started;
    }

    [Fact]
    public async Task A_held_lock_fails_after_30_seconds_of_the_contexts_clock_not_of_real_time()
    {
        using var other = ConfigFileLock.Acquire(_machine.UserFile, AtomicFile.PrivateFile);
        var real = Stopwatch.StartNew();

        var waiting = ConfigFileLock.AcquireAsync(_machine.UserFile, AtomicFile.PrivateFile, _time, CancellationToken.None);
        var moved = await RunClockUntil(waiting, TimeSpan.FromSeconds(40));

        var error = await Assert.ThrowsAsync<RemoteException>(() => waiting);
        Assert.Equal(RemoteErrorCodes.ConfigLocked, error.Code);
        Assert.Equal($"could not lock {_machine.UserFile}: another dotnet remote process holds it", error.Message);
        Assert.InRange(moved, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31));
        Assert.True(real.Elapsed < TimeSpan.FromSeconds(30), $"took {real.Elapsed} of real time");
    }

    [Fact]
    public async Task The_waiter_gets_the_lock_once_the_other_process_lets_go()
    {
        var other = ConfigFileLock.Acquire(_machine.UserFile, AtomicFile.PrivateFile);
        var waiting = ConfigFileLock.AcquireAsync(_machine.UserFile, AtomicFile.PrivateFile, _time, CancellationToken.None);
        await RunClockUntil(Task.Delay(50), TimeSpan.FromSeconds(5));
        Assert.False(waiting.IsCompleted);

        other.Dispose();
        await RunClockUntil(waiting, TimeSpan.FromSeconds(5));

        using var held = await waiting;
        Assert.Throws<RemoteException>(() => ConfigFileLock.Acquire(_machine.UserFile, AtomicFile.PrivateFile, TimeSpan.Zero));
    }

    [Fact]
    public async Task Waiting_stops_when_the_command_is_cancelled()
    {
        using var other = ConfigFileLock.Acquire(_machine.UserFile, AtomicFile.PrivateFile);
        using var cancellation = new CancellationTokenSource();

        var waiting = FileJournal.LockAsync(_machine.UserFile, AtomicFile.PrivateFile, _time, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task A_free_lock_is_taken_at_once_without_the_clock_moving()
    {
        using var held = await FileJournal.LockAsync(_machine.UserFile, AtomicFile.PrivateFile, _time, CancellationToken.None);

        Assert.Throws<RemoteException>(() => ConfigFileLock.Acquire(_machine.UserFile, AtomicFile.PrivateFile, TimeSpan.Zero));
    }
}
