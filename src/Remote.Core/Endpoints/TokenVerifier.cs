using System.Net;
using System.Net.Http.Headers;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Endpoints;

/// <summary>Checks a library access token with the endpoint's token service (docs/compatibility.md#token-verification).</summary>
internal sealed class TokenVerifier(RemoteContext context)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Succeeds for a valid token; otherwise throws <see cref="RemoteErrorCodes.TokenInvalid"/> or a network error.</summary>
    public async Task VerifyAsync(EndpointConfig endpoint, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        string tokenService;
        try
        {
            tokenService = await new ServiceDiscovery(context).GetServiceUriAsync(endpoint, "token", cancellationToken).ConfigureAwait(false);
        }
        catch (RemoteException ex) when (ex.Code == RemoteErrorCodes.ServiceMissing)
        {
            throw new RemoteException(RemoteErrorCodes.ServiceMissing, "no authentication service found", ex);
        }

        var url = tokenService.TrimEnd('/') + "/v1/token-status";
        using var client = RemoteHttp.CreateClient(context, insecureSkipVerify: false, Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpStatusCode status;
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = response.StatusCode;
        }
        catch (Exception ex) when (RemoteHttp.IsTransportFailure(ex, cancellationToken))
        {
            throw new RemoteException(RemoteErrorCodes.Network, $"error making request to server: {RemoteHttp.Describe(ex, url)}", ex);
        }

        if (status != HttpStatusCode.OK)
        {
            // Apptainer calls a 401 "Unknown" (docs/compatibility.md#fix-token-401); a refused token is a refused token.
            // A refused token keeps the seed's exact words; any other answer is a fault of the named server.
            throw status is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? new RemoteException(RemoteErrorCodes.TokenInvalid, "error response from server: Invalid Credentials")
                : new RemoteException(RemoteErrorCodes.Failure, $"error response from server {RemoteHttp.Authority(url)}: {(int)status} {status}");
        }
    }
}
