namespace DotnetRemote.Integration.Tests.Fixtures;

// One collection per kind of server: tests in a collection share its containers and run one after another;
// the collections run in parallel. Put a test class in one with [Collection(XxxCollection.Name)] and take the
// fixtures it needs in its constructor.

/// <summary>registry-a.test (alice), registry-b.test (bob), and the two token-auth registries (strict, lenient).</summary>
[CollectionDefinition(Name)]
public sealed class Registries : ICollectionFixture<RegistryAFixture>, ICollectionFixture<RegistryBFixture>, ICollectionFixture<TokenAuthRegistryFixture>, ICollectionFixture<LenientTokenRegistryFixture>
{
    public const string Name = "Registries";
}

/// <summary>SKS behind nginx on keys.test (Basic, Bearer, TLS).</summary>
[CollectionDefinition(Name)]
public sealed class Keyservers : ICollectionFixture<KeyserverFixture>
{
    public const string Name = "Keyserver";
}

/// <summary>The fake library endpoint on library.test.</summary>
[CollectionDefinition(Name)]
public sealed class Libraries : ICollectionFixture<LibraryApiFixture>
{
    public const string Name = "Library";
}
