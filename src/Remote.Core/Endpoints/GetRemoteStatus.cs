using System.Text.Json;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Endpoints;

/// <param name="Name">Title-case service name (Builder, Consent, Keyserver, Library, Token).</param>
/// <param name="Ok">True when <c>/version</c> answered 200 with <c>{"data":{"version":…}}</c>.</param>
internal sealed record ServiceStatus(string Name, bool Ok, string Version, string Uri);

internal enum TokenState
{
    None,
    Valid,

    /// <summary>The token service refused the token.</summary>
    Invalid,

    /// <summary>The token service could not be asked (unreachable, or a server error).</summary>
    Unchecked,
}

/// <param name="Name">The remote to check; null for the default remote.</param>
internal sealed record GetRemoteStatusOptions(string? Name = null);

/// <param name="TokenError">Why the token was refused or could not be checked.</param>
internal sealed record GetRemoteStatusResult(string Name, IReadOnlyList<ServiceStatus> Services, TokenState Token, string? TokenError);

/// <summary><c>remote status [name]</c> (docs/compatibility.md#remote-status): each service's health and whether the token is valid.</summary>
internal sealed class GetRemoteStatus(RemoteContext context)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task<GetRemoteStatusResult> ExecuteAsync(GetRemoteStatusOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Name;
        var config = new RemoteConfigStore(context).LoadMerged();
        var (remoteName, endpoint) = string.IsNullOrEmpty(name) ? config.GetDefaultRemote() : (name, config.GetRemote(name));
        IReadOnlyDictionary<string, string> services;
        try
        {
            services = await new ServiceDiscovery(context).DiscoverAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (RemoteException ex)
        {
            throw new RemoteException(ex.Code, $"while retrieving services: {ex.Message}", ex);
        }

        using var client = RemoteHttp.CreateClient(context, insecureSkipVerify: false, Timeout);
        var checks = services.OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => CheckAsync(client, s.Key, s.Value, cancellationToken));
        var statuses = await Task.WhenAll(checks).ConfigureAwait(false);

        if (endpoint.Token.Length == 0)
        {
            return new GetRemoteStatusResult(remoteName, statuses, TokenState.None, null);
        }

        try
        {
            await new TokenVerifier(context).VerifyAsync(endpoint, endpoint.Token, cancellationToken).ConfigureAwait(false);
            return new GetRemoteStatusResult(remoteName, statuses, TokenState.Valid, null);
        }
        catch (RemoteException ex)
        {
            var state = ex.Code == RemoteErrorCodes.TokenInvalid ? TokenState.Invalid : TokenState.Unchecked;
            return new GetRemoteStatusResult(remoteName, statuses, state, ex.Message);
        }
    }

    private static async Task<ServiceStatus> CheckAsync(HttpClient client, string service, string uri, CancellationToken cancellationToken)
    {
        var title = service.Length == 0 ? service : char.ToUpperInvariant(service[0]) + service[1..];
        if (!Uri.TryCreate(uri.TrimEnd('/') + "/version", UriKind.Absolute, out _))
        {
            // A service the document names without a usable URI (an empty one) cannot be asked: N/A.
            return new ServiceStatus(title, false, "", uri);
        }

        try
        {
            using var response = await client.GetAsync(new Uri(uri.TrimEnd('/') + "/version", UriKind.Absolute), cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                using var document = StrictJson.ParseDocument(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("data", out var data)
                    && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.String)
                {
                    return new ServiceStatus(title, true, version.GetString()!, uri);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException || RemoteHttp.IsTransportFailure(ex, cancellationToken))
        {
            // A service that does not answer properly is shown as N/A, as Apptainer does.
        }

        return new ServiceStatus(title, false, "", uri);
    }
}
