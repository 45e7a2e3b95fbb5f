#!/usr/bin/env bash
# Figures, not a test: what Remote.MSBuild costs an unchanged, incremental `dotnet build`.
#   1. RemoteApply's time in the binlog's task performance summary (goal <= 20 ms) and the connections it opens,
#      counted at the fake servers (goal 0);
#   2. the whole `dotnet build` of a console project with the items against the same project without them (goal: within 5 %).
#
#   bash bench/msbuild-incremental.sh            # packs first when ./artifacts has no Remote.MSBuild package
#   RUNS=30 bash bench/msbuild-incremental.sh
#
# The servers are bench/msbuild/fake-servers.py (a library API with a token service and a Basic-auth registry on
# 127.0.0.1); they count every TCP connection. Builds alternate (with, without, with, ...) so drift hits both alike.
set -euo pipefail

RUNS=${RUNS:-20}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if ! ls "$repo"/artifacts/Remote.MSBuild.*.nupkg >/dev/null 2>&1; then
    echo "packing first (./build.sh --target=Pack) ..." >&2
    "$repo/build.sh" --target=Pack >/dev/null
fi
version=$(ls "$repo"/artifacts/Remote.MSBuild.*.nupkg | sed -E 's/.*Remote\.MSBuild\.(.*)\.nupkg/\1/' | sort -V | tail -1)

read -r library_port registry_port < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')

export LIBRARY_TOKEN="bench-token-0123456789abcdef" COMPANY_TOKEN="bench-token-0123456789abcdef"
export REGISTRY_USER=bench REGISTRY_PASSWORD=bench-password
export HOME="$work/home" APPTAINER_CONFIGDIR="$work/config" DOTNET_REMOTE_SYSTEM_CONFIG="$work/system/remote.yaml"
export NUGET_PACKAGES="$work/nuget" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
unset CI GITHUB_ACTIONS TF_BUILD GITLAB_CI
mkdir -p "$HOME"
python3 "$repo/bench/msbuild/fake-servers.py" "$work/connections" "$library_port" "$registry_port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/connections" ] && break; sleep 0.1; done

project() { # NAME WITH_ITEMS
    local dir="$work/$1"
    mkdir -p "$dir"
    echo 'System.Console.WriteLine("bench");' >"$dir/Program.cs"
    cat >"$dir/nuget.config" <<XML
<configuration><packageSources><add key="artifacts" value="$repo/artifacts" /></packageSources></configuration>
XML
    local items=""
    if [ "$2" = yes ]; then
        items="<PackageReference Include=\"Remote.MSBuild\" Version=\"$version\" PrivateAssets=\"all\" />
    <RemoteEndpoint Include=\"company\" Uri=\"http://127.0.0.1:$library_port\" TokenEnvironmentVariable=\"COMPANY_TOKEN\" Insecure=\"true\" Use=\"true\" />
    <RemoteLogin Include=\"docker://127.0.0.1:$registry_port\" UsernameEnvironmentVariable=\"REGISTRY_USER\" PasswordEnvironmentVariable=\"REGISTRY_PASSWORD\" Insecure=\"true\" />"
    fi
    cat >"$dir/$1.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    $items
  </ItemGroup>
</Project>
XML
}
project WithItems yes
project WithoutItems no

# First builds: restore, compile, and (with the items) verify and apply.
dotnet build "$work/WithItems" -nologo -v q >/dev/null
dotnet build "$work/WithoutItems" -nologo -v q >/dev/null
after_first=$(cat "$work/connections")

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$work/with.ms"; : >"$work/without.ms"; : >"$work/task.ms"
for i in $(seq "$RUNS"); do
    ms dotnet build "$work/WithItems" -nologo -v q >>"$work/with.ms"
    ms dotnet build "$work/WithoutItems" -nologo -v q >>"$work/without.ms"
    # RemoteApply's own time, as MSBuild reports it (a separate build: a binlog costs time of its own).
    dotnet build "$work/WithItems" -nologo -v q -bl:"$work/run.binlog" >/dev/null
    dotnet msbuild "$work/run.binlog" -noconlog -flp:"logfile=$work/replay.log;performancesummary;verbosity=quiet" >/dev/null
    awk '/Task Performance Summary/ { t = 1 } t && $3 == "RemoteApply" { print $1 }' "$work/replay.log" >>"$work/task.ms"
done
after_all=$(cat "$work/connections")

with=$(median <"$work/with.ms"); without=$(median <"$work/without.ms"); task=$(median <"$work/task.ms")
echo "unchanged incremental builds, $RUNS runs each, alternating (Remote.MSBuild $version)"
echo "RemoteApply task (binlog task summary)  median $task ms  (min $(sort -n "$work/task.ms" | head -1), max $(sort -n "$work/task.ms" | tail -1))"
echo "connections at the fake servers         after the first build: $after_first; after $((RUNS * 2)) more builds with the items: $after_all"
echo "dotnet build with the items             median $with ms  (min $(sort -n "$work/with.ms" | head -1), max $(sort -n "$work/with.ms" | tail -1))"
echo "dotnet build without the items          median $without ms  (min $(sort -n "$work/without.ms" | head -1), max $(sort -n "$work/without.ms" | tail -1))"
awk -v a="$with" -v b="$without" 'BEGIN { printf "with / without                          %.3f (%+.1f %%)\n", a / b, (a / b - 1) * 100 }'
