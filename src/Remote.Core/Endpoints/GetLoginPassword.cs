using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Endpoints;

/// <summary><c>get-login-password</c> takes no options: it asks the default remote.</summary>
internal sealed record GetLoginPasswordOptions;

/// <param name="Password">The CLI secret. A secret: printed only where the user asked for it.</param>
internal sealed record GetLoginPasswordResult(string Password)
{
    public override string ToString() => "GetLoginPasswordResult { }";
}

/// <summary>
/// <c>remote get-login-password</c>: the library's CLI secret for the logged-in user (docs/compatibility.md#get-login-password). Unlike Apptainer,
/// every failure is an error (exit 255), never a crash or a silent exit 0 (docs/compatibility.md#fix-get-login-password).
/// </summary>
internal sealed class GetLoginPassword(RemoteContext context)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<GetLoginPasswordResult> ExecuteAsync(GetLoginPasswordOptions options, CancellationToken cancellationToken = default)
    {
        var config = new RemoteConfigStore(context).LoadMerged();
        var (_, endpoint) = config.GetDefaultRemote();
        var library = await new ServiceDiscovery(context).GetServiceUriAsync(endpoint, "library", cancellationToken).ConfigureAwait(false);
        if (endpoint.Token.Length == 0)
        {
            throw new RemoteException(RemoteErrorCodes.NotLoggedIn, "must be logged in to retrieve user data");
        }

        var url = library.TrimEnd('/') + "/v1/rbac/users/current";
        using var client = RemoteHttp.CreateClient(context, insecureSkipVerify: false, Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    break;
                case HttpStatusCode.Unauthorized:
                    throw new RemoteException(RemoteErrorCodes.NotLoggedIn, "must be logged in to retrieve user data");
                case HttpStatusCode.NotFound:
                    throw new RemoteException(RemoteErrorCodes.ServiceMissing, "user endpoint not found");
                default:
                    throw new RemoteException(RemoteErrorCodes.Failure, $"status is not ok: {(int)response.StatusCode} from {RemoteHttp.Authority(url)}");
            }

            using var document = StrictJson.ParseDocument(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var secret = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("oidc_user_meta", out var meta)
                && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("secret", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
            return string.IsNullOrEmpty(secret)
                ? throw new RemoteException(RemoteErrorCodes.Failure, "no token was received from service")
                : new GetLoginPasswordResult(secret);
        }
        catch (JsonException ex)
        {
            throw new RemoteException(RemoteErrorCodes.Failure, $"malformed answer from {RemoteHttp.Authority(url)}", ex);
        }
        catch (Exception ex) when (RemoteHttp.IsTransportFailure(ex, cancellationToken))
        {
            throw new RemoteException(RemoteErrorCodes.Network, $"error making request to server: {RemoteHttp.Describe(ex, url)}", ex);
        }
    }
}
