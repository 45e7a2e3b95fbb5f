namespace DotnetRemote.Testing;

/// <summary>The remote.yaml texts the specification quotes, verbatim.</summary>
internal static class SampleYaml
{
    /// <summary>docs/compatibility.md#yaml-format: Apptainer v1.2.5's rendering (2 spaces, indentless lists).</summary>
    public const string V125Example = """
        Active: SylabsCloud
        Remotes:
          DefaultRemote:
            URI: cloud.apptainer.org
            System: true
            Exclusive: false
            Keyservers:
            - URI: https://keys.openpgp.org
              Skip: false
              External: false
              Insecure: false
            - URI: http://keys.internal:11371
              Skip: false
              External: true
              Insecure: true
          SylabsCloud:
            URI: cloud.sylabs.io
            Token: eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9...(>=200 chars)
            System: false
            Exclusive: false
          lab-http:
            URI: library.lab.internal
            System: false
            Exclusive: false
            Insecure: true
        Credentials:
        - URI: docker://docker.io
          Insecure: false
        - URI: oras://localhost:5000
          Insecure: false
        - URI: http://keys.internal:11371
          Auth: Basic YWxpY2U6czNjcjN0
          Insecure: true

        """;

    /// <summary>docs/compatibility.md#yaml-format: the same state as Apptainer HEAD writes it (4 spaces, indented lists).</summary>
    public const string HeadExample = """
        Active: SylabsCloud
        Remotes:
            DefaultRemote:
                URI: cloud.apptainer.org
                System: true
                Exclusive: false
                Keyservers:
                    - URI: https://keys.openpgp.org
                      Skip: false
                      External: false
                      Insecure: false
                    - URI: http://keys.internal:11371
                      Skip: false
                      External: true
                      Insecure: true
            SylabsCloud:
                URI: cloud.sylabs.io
                Token: eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOi...(>=200 chars)
                System: false
                Exclusive: false
            lab-http:
                URI: library.lab.internal
                System: false
                Exclusive: false
                Insecure: true
        Credentials:
            - URI: docker://docker.io
              Insecure: false
            - URI: oras://localhost:5000
              Insecure: false
            - URI: http://keys.internal:11371
              Auth: Basic YWxpY2U6czNjcjN0
              Insecure: true

        """;

    /// <summary>The shipped system file (docs/compatibility.md#system-default).</summary>
    public const string StockSystem = """
        Active: DefaultRemote
        Remotes:
          DefaultRemote:
            URI: cloud.apptainer.org
            System: true
            Exclusive: false

        """;
}
