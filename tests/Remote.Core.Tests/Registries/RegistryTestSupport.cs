namespace DotnetRemote.Core.Tests.Registries;

/// <summary>
/// A fake <c>docker-credential-&lt;name&gt;</c> shell script keeping one file per server URL, and logging its argv so
/// tests can prove that no secret is passed there.
/// </summary>
internal static class FakeCredentialHelper
{
    public static string Install(TestMachine home, string name, string? body = null)
    {
        Directory.CreateDirectory(home.BinDirectory);
        var state = Path.Combine(home.Root, $"helper-{name}");
        Directory.CreateDirectory(state);
        var script = Path.Combine(home.BinDirectory, $"docker-credential-{name}");
        File.WriteAllText(script, body ?? StoreScript(state));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return state;
    }

    /// <summary>How many times the helper ran.</summary>
    public static int Runs(string state) => ArgvLog(state).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>The <c>DOTNET_REMOTE_HELPER_CHAIN</c> each run saw, one line a run.</summary>
    public static string[] Chains(string state) =>
        File.Exists(Path.Combine(state, "chain.log")) ? File.ReadAllLines(Path.Combine(state, "chain.log")) : [];

    public static string ArgvLog(string state) => File.Exists(Path.Combine(state, "argv.log")) ? File.ReadAllText(Path.Combine(state, "argv.log")) : "";

    public static string[] StoredFiles(string state) =>
        Directory.Exists(Path.Combine(state, "store")) ? Directory.GetFiles(Path.Combine(state, "store")).Select(File.ReadAllText).ToArray() : [];

    private static string StoreScript(string state) => $$"""
        #!/bin/sh
        state='{{state}}'
        mkdir -p "$state/store"
        echo "$0 $*" >> "$state/argv.log"
        echo "${DOTNET_REMOTE_HELPER_CHAIN:-}" >> "$state/chain.log"
        input=$(cat)
        keyfile() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
        case "$1" in
          store)
            url=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')
            printf '%s' "$input" > "$state/store/$(keyfile "$url")" ;;
          get)
            f="$state/store/$(keyfile "$input")"
            if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          erase)
            f="$state/store/$(keyfile "$input")"
            if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          list)
            sep=''
            printf '{'
            for f in "$state"/store/*; do
              [ -f "$f" ] || continue
              url=$(sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p' "$f")
              user=$(sed -n 's/.*"Username":"\([^"]*\)".*/\1/p' "$f")
              printf '%s"%s":"%s"' "$sep" "$url" "$user"
              sep=','
            done
            printf '}' ;;
          *) echo "unknown action"; exit 1 ;;
        esac
        """;
}
