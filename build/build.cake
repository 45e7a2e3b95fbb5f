// The project's build, run by the Cake .NET tool: ./build.sh [--target=Build|Test|UnitTest|IntegrationTest|Pack|SmokeTool|PublishAot|Bench] [--package-version=X.Y.Z]
// (Cake.Frosting is not served by this machine's package mirror, so this is a plain Cake script.)
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
// The packages' version (a release tag without its v); empty: the version in Directory.Build.props.
var packageVersion = Argument("package-version", "");
var root = MakeAbsolute(Directory(".."));
var artifacts = root.Combine("artifacts");
var packages = artifacts;
var testResults = artifacts.Combine("test-results");
var solution = root.CombineWithFilePath("Remote.slnx");

// Testcontainers on this engine: Docker 20.10 speaks API 1.41; the Ryuk reaper image cannot be pulled.
var containerEnvironment = new Dictionary<string, string>
{
    ["DOCKER_API_VERSION"] = "1.41",
    ["TESTCONTAINERS_RYUK_DISABLED"] = "true",
    ["TESTCONTAINERS_HOST_OVERRIDE"] = "127.0.0.1",
};

Task("Clean").Does(() =>
{
    CleanDirectory(artifacts);
});

Task("Build").Does(() =>
{
    CleanDirectory(testResults);
    DotNetBuild(solution.FullPath, new DotNetBuildSettings { Configuration = configuration });
});

Task("UnitTest").IsDependentOn("Build").Does(() =>
{
    foreach (var project in GetFiles(root.FullPath + "/tests/Remote.*.Tests/*.csproj"))
    {
        RunTests(project, new Dictionary<string, string>());
    }
});

Task("TestEnvironment").Does(() =>
{
    // Installs the Debian packages, starts dockerd and adds the test host names (idempotent; needs root).
    // Without root (or Docker) a developer still gets every test that can run: the tests that need the missing
    // pieces skip, each naming why. Under CI=true the environment is required and a skip is a failure.
    var exit = StartProcess("bash", new ProcessSettings { Arguments = root.CombineWithFilePath("eng/setup-test-env.sh").FullPath });
    if (exit != 0)
    {
        if (string.Equals(EnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new Exception($"eng/setup-test-env.sh failed with exit code {exit}");
        }

        Warning($"eng/setup-test-env.sh failed with exit code {exit} (see above): tests that need Docker, the test host names or Go are skipped and say so");
    }
});

Task("IntegrationTest").IsDependentOn("Build").IsDependentOn("Pack").IsDependentOn("TestEnvironment").Does(() =>
{
    var environment = new Dictionary<string, string>(containerEnvironment)
    {
        ["DOTNET_REMOTE_PACKAGES"] = packages.FullPath,
    };
    RunTests(root.CombineWithFilePath("tests/integration/Remote.Integration.Tests.csproj"), environment);
});

Task("Pack").IsDependentOn("Build").Does(() =>
{
    DeleteFiles(packages.FullPath + "/*.nupkg");
    DeleteFiles(packages.FullPath + "/*.snupkg");
    var msbuild = new DotNetMSBuildSettings();
    if (packageVersion != "")
    {
        msbuild.WithProperty("Version", packageVersion);
    }

    foreach (var project in GetFiles(root.FullPath + "/src/*/*.csproj"))
    {
        DotNetPack(project.FullPath, new DotNetPackSettings { Configuration = configuration, OutputDirectory = packages, MSBuildSettings = msbuild });
    }

    // The tool's RID-specific packages (.NET 10): `dotnet tool install` picks the native one on linux-x64.
    foreach (var runtime in new[] { "any", "linux-x64" })
    {
        DotNetPack(root.CombineWithFilePath("src/Remote.Tool/Remote.Tool.csproj").FullPath,
            new DotNetPackSettings { Configuration = configuration, OutputDirectory = packages, Runtime = runtime, MSBuildSettings = msbuild });
    }
});

Task("SmokeTool").IsDependentOn("Pack").Does(() =>
{
    // The packed tool installs and runs the seed's first command, as a user would.
    var toolPath = artifacts.Combine("tool");
    CleanDirectory(toolPath);
    var install = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("tool").Append("install").Append("--tool-path").AppendQuoted(toolPath.FullPath)
            .Append("--add-source").AppendQuoted(packages.FullPath).Append("Remote.Tool"),
    });
    if (install != 0)
    {
        throw new Exception($"dotnet tool install exited with {install}");
    }

    var home = artifacts.Combine("smoke-home");
    CleanDirectory(home);
    var exit = StartProcess(toolPath.CombineWithFilePath("dotnet-remote").FullPath, new ProcessSettings
    {
        Arguments = "list",
        EnvironmentVariables = new Dictionary<string, string>
        {
            ["APPTAINER_CONFIGDIR"] = home.FullPath,
            ["DOTNET_REMOTE_SYSTEM_CONFIG"] = home.CombineWithFilePath("system-remote.yaml").FullPath,
        },
    });
    if (exit != 0)
    {
        throw new Exception($"the installed dotnet-remote exited with {exit}");
    }
});

Task("Test").IsDependentOn("TestEnvironment").IsDependentOn("UnitTest").IsDependentOn("SmokeTool").IsDependentOn("IntegrationTest").Does(() =>
{
    // One closing line CI can read: totals over every test run of this build. Skipped tests are the results marked
    // NotExecuted (the trx counters leave them out); each is named with its reason, grouped by reason.
    int passed = 0, failed = 0;
    var skips = new List<(string Test, string Reason)>();
    foreach (var trx in GetFiles(testResults.FullPath + "/*.trx"))
    {
        var document = XDocument.Load(trx.FullPath);
        var counters = document.Descendants().First(e => e.Name.LocalName == "Counters");
        passed += (int)counters.Attribute("passed");
        failed += (int)counters.Attribute("failed");
        foreach (var result in document.Descendants().Where(e => e.Name.LocalName == "UnitTestResult" && (string)e.Attribute("outcome") == "NotExecuted"))
        {
            var reason = result.Descendants().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value.Trim() ?? "no reason given";
            skips.Add(((string)result.Attribute("testName"), reason));
        }
    }

    foreach (var group in skips.GroupBy(s => s.Reason))
    {
        Console.WriteLine($"Skipped {group.Count()} test(s): {group.Key}");
        foreach (var (test, _) in group)
        {
            Console.WriteLine($"    {test}");
        }
    }

    // Plain text (no colour codes), alone on its line, for CI to read.
    Console.WriteLine($"Tests: {passed} passed, {failed} failed, {skips.Count} skipped");
});

Task("PublishAot").Does(() =>
{
    // A native, self-contained dotnet-remote (no runtime needed; starts in milliseconds).
    DotNetPublish(root.CombineWithFilePath("src/Remote.Tool/Remote.Tool.csproj").FullPath, new DotNetPublishSettings
    {
        Configuration = configuration,
        Runtime = "linux-x64",
        OutputDirectory = artifacts.Combine("native"),
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("PublishAot", "true").WithProperty("PackAsTool", "false"),
    });
});

Task("Bench").Does(() =>
{
    DotNetRun(root.CombineWithFilePath("bench/Remote.Benchmarks/Remote.Benchmarks.csproj").FullPath,
        new ProcessArgumentBuilder().Append("--filter").Append("*"),
        new DotNetRunSettings { Configuration = "Release" });
});

void RunTests(FilePath project, IDictionary<string, string> environment)
{
    var name = project.GetFilenameWithoutExtension().FullPath;
    DotNetTest(project.FullPath, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        Loggers = { $"trx;LogFileName={name}.trx", "console;verbosity=minimal" },
        ResultsDirectory = testResults,
        EnvironmentVariables = environment,
    });
}

RunTarget(target);
