// Token server for the distribution registry's token auth (docker "Bearer realm" flow).
// GET /token?service=S&scope=repository:NAME:ACTIONS (scope may repeat) with HTTP Basic credentials
// returns {"token":JWT,"access_token":JWT,"expires_in":300,"issued_at":...}. The JWT is RS256-signed with
// an "x5c" header carrying the signing certificate, which the registry trusts as its rootcertbundle.
// Configuration (environment):
//   TOKEN_KEY, TOKEN_CERT   PEM files of the signing key and its self-signed certificate (required)
//   TOKEN_USERS             "user:password" pairs separated by ';' (required)
//   TOKEN_ISSUER            issuer the registry expects (required)
//   TOKEN_MODE              "strict" (default): every request must authenticate.
//                           "lenient": like Apptainer's e2e token server and registries with public repositories: a
//                           request WITH a scope is never refused: right credentials get the scopes asked for, anything
//                           else an anonymous token with pull access only; a request WITHOUT a scope (docker's login)
//                           must authenticate, 401 otherwise.
//   TOKEN_REFRESH_USERS     users (separated by ';') who get a "refresh_token" when they ask with offline_token=true,
//                           as Docker Hub and Harbor do; POST /token with grant_type=refresh_token (or password) and
//                           the form fields of docker's OAuth2 flow then issues tokens for it.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

using var rsa = RSA.Create();
rsa.ImportFromPem(File.ReadAllText(Required("TOKEN_KEY")));
using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(Required("TOKEN_CERT")));
var certDer = Convert.ToBase64String(cert.RawData);
var issuer = Required("TOKEN_ISSUER");
var users = Required("TOKEN_USERS").Split(';', StringSplitOptions.RemoveEmptyEntries)
    .Select(pair => pair.Split(':', 2))
    .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "", StringComparer.Ordinal);

var lenient = Environment.GetEnvironmentVariable("TOKEN_MODE") == "lenient";
var refreshUsers = (Environment.GetEnvironmentVariable("TOKEN_REFRESH_USERS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
var refreshTokens = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);

app.MapGet("/healthz", () => Results.Text("ok"));

app.MapGet("/token", (HttpRequest request) =>
{
    var user = Authenticate(request.Headers.Authorization.ToString());
    var scopes = request.Query["scope"].Where(s => !string.IsNullOrEmpty(s)).SelectMany(s => s!.Split(' ')).ToList();
    if (user is null && !(lenient && scopes.Count > 0))
    {
        return Unauthorized(request);
    }

    // Lenient: a scoped request with wrong or no credentials gets an anonymous token that may only pull.
    var refresh = user is not null && request.Query["offline_token"] == "true" && refreshUsers.Contains(user) ? NewRefreshToken(user) : null;
    return Issue(request.Query["service"].ToString(), user ?? "", user is null ? scopes.Select(PullOnly).ToList() : scopes, refresh);
});

// docker's and containers/image's OAuth2 flow (distribution's fetchTokenWithOAuth): a form POST.
app.MapPost("/token", async (HttpRequest request) =>
{
    var form = await request.ReadFormAsync();
    string? user = form["grant_type"].ToString() switch
    {
        "refresh_token" => refreshTokens.TryGetValue(form["refresh_token"].ToString(), out var owner) ? owner : null,
        "password" => users.TryGetValue(form["username"].ToString(), out var password) && password == form["password"].ToString() ? form["username"].ToString() : null,
        _ => null,
    };
    if (user is null)
    {
        return Unauthorized(request);
    }

    var scopes = form["scope"].Where(s => !string.IsNullOrEmpty(s)).SelectMany(s => s!.Split(' ')).ToList();
    var refresh = form["grant_type"] == "password" && form["access_type"] == "offline" && refreshUsers.Contains(user) ? NewRefreshToken(user) : null;
    return Issue(form["service"].ToString(), user, scopes, refresh);
});

app.Run();

IResult Unauthorized(HttpRequest request)
{
    request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"registry-token\"";
    return Results.Text("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid username/password\"}]}",
        "application/json", Encoding.UTF8, StatusCodes.Status401Unauthorized);
}

string NewRefreshToken(string user)
{
    var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    refreshTokens[token] = user;
    return token;
}

static string PullOnly(string scope)
{
    var last = scope.LastIndexOf(':');
    return last > 0 && scope[(last + 1)..].Split(',').Contains("pull") ? scope[..(last + 1)] + "pull" : scope[..(last + 1)];
}

IResult Issue(string service, string user, List<string> scopes, string? refreshToken)
{
    var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    var jwt = Sign(Object(w =>
    {
        w.WriteString("iss", issuer);
        w.WriteString("sub", user);
        w.WriteString("aud", service);
        w.WriteNumber("iat", now);
        w.WriteNumber("nbf", now - 10);
        w.WriteNumber("exp", now + 300);
        w.WriteString("jti", Guid.NewGuid().ToString("N"));
        w.WriteStartArray("access");
        foreach (var scope in scopes)
        {
            // type:name:actions, where the name may itself contain ':' (e.g. a port).
            var first = scope.IndexOf(':', StringComparison.Ordinal);
            var last = scope.LastIndexOf(':');
            if (first < 0 || last <= first)
            {
                continue;
            }
            w.WriteStartObject();
            w.WriteString("type", scope[..first]);
            w.WriteString("name", scope[(first + 1)..last]);
            w.WriteStartArray("actions");
            foreach (var action in scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                w.WriteStringValue(action);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }));
    var body = Object(w =>
    {
        w.WriteString("token", jwt);
        w.WriteString("access_token", jwt);
        w.WriteNumber("expires_in", 300);
        w.WriteString("issued_at", DateTimeOffset.FromUnixTimeSeconds(now).ToString("yyyy-MM-ddTHH:mm:ssZ"));
        if (refreshToken is not null)
        {
            w.WriteString("refresh_token", refreshToken);
        }
    });
    return Results.Bytes(body, "application/json");
}

string? Authenticate(string header)
{
    if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
    {
        return null;
    }
    string decoded;
    try
    {
        decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
    }
    catch (FormatException)
    {
        return null;
    }
    var colon = decoded.IndexOf(':', StringComparison.Ordinal);
    if (colon < 0)
    {
        return null;
    }
    var name = decoded[..colon];
    return users.TryGetValue(name, out var password) && password == decoded[(colon + 1)..] ? name : null;
}

string Sign(byte[] payload)
{
    var header = Object(w =>
    {
        w.WriteString("alg", "RS256");
        w.WriteString("typ", "JWT");
        w.WriteStartArray("x5c");
        w.WriteStringValue(certDer);
        w.WriteEndArray();
    });
    var input = Base64Url(header) + "." + Base64Url(payload);
    var signature = rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    return input + "." + Base64Url(signature);
}

static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

static byte[] Object(Action<Utf8JsonWriter> body)
{
    using var stream = new MemoryStream();
    using (var w = new Utf8JsonWriter(stream))
    {
        w.WriteStartObject();
        body(w);
        w.WriteEndObject();
    }
    return stream.ToArray();
}

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"environment variable {name} is required");
