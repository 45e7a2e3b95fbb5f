// Fake Sylabs-style library endpoint for the integration tests (docs/compatibility.md#service-discovery).
// Configuration (environment):
//   LIBRARY_TOKEN     the one valid bearer token (required)
//   LIBRARY_USERNAME, LIBRARY_EMAIL, LIBRARY_SECRET   what /v1/rbac/users/current returns
//   LIBRARY_KEYSTORE_URI, LIBRARY_REGISTRY_URI        optional overrides for the discovery document
// Service URIs in the discovery document are built from the request's scheme and Host header, so the
// document is right for whatever host name and mapped port the client used.
using System.Text;
using System.Text.Json;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

var token = Required("LIBRARY_TOKEN");
var username = Environment.GetEnvironmentVariable("LIBRARY_USERNAME") ?? "test-user";
var email = Environment.GetEnvironmentVariable("LIBRARY_EMAIL") ?? "test-user@library.test";
var secret = Environment.GetEnvironmentVariable("LIBRARY_SECRET") ?? "test-oci-secret";
var keystoreUri = Environment.GetEnvironmentVariable("LIBRARY_KEYSTORE_URI");
var registryUri = Environment.GetEnvironmentVariable("LIBRARY_REGISTRY_URI");

app.MapGet("/healthz", () => Results.Text("ok"));

app.MapGet("/assets/config/config.prod.json", (HttpRequest request) =>
{
    var b = $"{request.Scheme}://{request.Host}";
    return Json(w =>
    {
        w.WriteStartObject("libraryAPI");
        w.WriteString("uri", b);
        w.WriteString("registryUri", registryUri ?? $"{b}/registry");
        w.WriteEndObject();
        w.WriteStartObject("keystoreAPI");
        w.WriteString("uri", keystoreUri ?? $"{b}/keystore");
        w.WriteEndObject();
        w.WriteStartObject("builderAPI");
        w.WriteString("uri", $"{b}/builder");
        w.WriteString("managerUri", $"{b}/builder");
        w.WriteEndObject();
        w.WriteStartObject("consentAPI");
        w.WriteString("uri", $"{b}/consent");
        w.WriteEndObject();
        w.WriteStartObject("tokenAPI");
        w.WriteString("uri", $"{b}/token");
        w.WriteEndObject();
    });
});

// <svc>/version for the library itself (base URI) and for every other service path.
app.MapGet("/version", () => Version("library"));
app.MapGet("/{service}/version", (string service) => Version(service));

app.MapGet("/token/v1/token-status", (HttpRequest request) =>
    HasValidToken(request)
        ? Json(w => { w.WriteStartObject("data"); w.WriteString("status", "valid"); w.WriteEndObject(); })
        : Json(w => Error(w, 404, "Invalid Credentials"), StatusCodes.Status404NotFound));

app.MapGet("/v1/rbac/users/current", (HttpRequest request) =>
    HasValidToken(request)
        ? Json(w =>
        {
            w.WriteString("username", username);
            w.WriteString("email", email);
            w.WriteStartObject("oidc_user_meta");
            w.WriteString("secret", secret);
            w.WriteEndObject();
        })
        : Json(w => Error(w, 401, "Unauthorized"), StatusCodes.Status401Unauthorized));

app.Run();

bool HasValidToken(HttpRequest request)
{
    var header = request.Headers.Authorization.ToString();
    return header.StartsWith("Bearer ", StringComparison.Ordinal) && header["Bearer ".Length..] == token;
}

static IResult Version(string service) => Json(w =>
{
    w.WriteStartObject("data");
    w.WriteString("version", $"v1.0.0-fake-{service}");
    w.WriteString("apiVersion", "2.0.0");
    w.WriteEndObject();
});

static void Error(Utf8JsonWriter w, int code, string message)
{
    w.WriteStartObject("error");
    w.WriteNumber("code", code);
    w.WriteString("message", message);
    w.WriteEndObject();
}

static IResult Json(Action<Utf8JsonWriter> body, int status = StatusCodes.Status200OK)
{
    using var stream = new MemoryStream();
    using (var w = new Utf8JsonWriter(stream))
    {
        w.WriteStartObject();
        body(w);
        w.WriteEndObject();
    }
    return Results.Text(Encoding.UTF8.GetString(stream.ToArray()), "application/json", Encoding.UTF8, status);
}

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"environment variable {name} is required");
