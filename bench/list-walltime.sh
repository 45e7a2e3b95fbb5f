#!/usr/bin/env bash
# Median wall time of the built `dotnet-remote list` (a whole process: host start, JIT, read, merge, print).
# Usage: bench/list-walltime.sh [runs]   (default 20; TOOL=/path/to/dotnet-remote.dll, or an installed
#        dotnet-remote executable such as the native one from the packed tool, skips the build;
#        NO_HYPERFINE=1 uses the plain bash loop even when hyperfine is installed)
set -euo pipefail

runs="${1:-20}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="${TOOL:-}"
if [[ -z "$tool" ]]; then
  dotnet build "$repo/src/Remote.Tool/Remote.Tool.csproj" -c Release -v quiet -nologo >/dev/null
  tool="$repo/src/Remote.Tool/bin/Release/net10.0/dotnet-remote.dll"
fi
if [[ "$tool" == *.dll ]]; then run="dotnet $tool"; else run="$tool"; fi

# A private machine: a user file with a few remotes, the stock system default, no network needed.
machine="$(mktemp -d)"
trap 'rm -rf "$machine"' EXIT
export HOME="$machine" APPTAINER_CONFIGDIR="$machine/config" DOTNET_REMOTE_SYSTEM_CONFIG="$machine/etc/remote.yaml"
for i in 1 2 3; do
  $run add --no-login "r$i" "https://r$i.example.com" 2>/dev/null
done
$run list >/dev/null   # warm the disk cache

if [[ -z "${NO_HYPERFINE:-}" ]] && command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 3 --runs "$runs" --shell=none --export-json "$machine/hyperfine.json" "$run list" >&2
  median_s="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$machine/hyperfine.json")"
  median_ms="$(python3 -c 'import sys; print(f"{float(sys.argv[1])*1000:.1f}")' "$median_s")"
else
  times=()
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    $run list >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  n=${#sorted[@]}
  if (( n % 2 == 1 )); then mid_us=${sorted[$((n / 2))]}; else mid_us=$(( (sorted[n / 2 - 1] + sorted[n / 2]) / 2 )); fi
  median_ms="$(awk -v us="$mid_us" 'BEGIN { printf "%.1f", us / 1000 }')"
fi

echo "dotnet-remote list: median wall time over $runs runs: ${median_ms} ms"
