#!/usr/bin/env bash
# Figures, not a test: how long one credential lookup takes in a docker-config.json holding 2,000 registries,
# `docker-credential-dotnet-remote get` as docker, podman and skopeo run it on every pull and push (the name
# `dotnet-remote credential-helper install` writes: a copy of the native helper for the native tool, a launcher script
# for the portable one; server URL on stdin, the credential as JSON on stdout; the whole process: start, read, match,
# print), and for comparison `dotnet-remote credential-helper get` and `dotnet-remote credential get URI`, against
# skopeo 1.9's nearest equivalent, `skopeo login --get-login` (prints the stored user for a registry; no network).
# Goal: docker-credential-dotnet-remote get <= 0.35 x skopeo.
#
#   bash bench/credential-get-vs-skopeo.sh                 # installs the packed tool (./artifacts) into a temp dir first
#   DOTNET_REMOTE=/path/to/dotnet-remote RUNS=50 bash bench/credential-get-vs-skopeo.sh
#   COMPARE=/path/to/older/dotnet-remote ...      # also times the helper that build installs (before/after, same run)
#
# Runs alternate (tool, skopeo, tool, skopeo, ...) so drift hits both alike; prints each median in ms.
set -euo pipefail

RUNS=${RUNS:-20}
REGISTRIES=${REGISTRIES:-2000}
HOST=host-1000.example:5000
SKOPEO=${SKOPEO:-skopeo}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "${DOTNET_REMOTE:-}" ]; then
    # As a user gets it: the tool installed from the packed packages (./build.sh --target=Pack).
    if ! ls "$repo"/artifacts/Remote.Tool.*.nupkg >/dev/null 2>&1; then
        echo "packing first (./build.sh --target=Pack) ..." >&2
        "$repo/build.sh" --target=Pack >/dev/null
    fi
    echo "installing Remote.Tool from $repo/artifacts into $work/tool ..." >&2
    dotnet tool install --tool-path "$work/tool" --add-source "$repo/artifacts" Remote.Tool >/dev/null
    DOTNET_REMOTE="$work/tool/dotnet-remote"
fi

# A sandbox: the tool reads $APPTAINER_CONFIGDIR/docker-config.json; nothing from the caller's environment.
config="$work/config"
mkdir -p "$config" "$work/home"
python3 - "$config/docker-config.json" "$REGISTRIES" <<'PY'
import base64, json, sys
path, count = sys.argv[1], int(sys.argv[2])
auths = {f"host-{i}.example:5000": {"auth": base64.b64encode(f"user-{i}:pass-{i}".encode()).decode()} for i in range(1, count + 1)}
with open(path, "w") as f:
    json.dump({"auths": auths}, f, indent="\t")
PY
chmod 600 "$config/docker-config.json"
sandbox=(env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE -u APPTAINER_DOCKER_USERNAME -u APPTAINER_DOCKER_PASSWORD
         -u DOCKER_USERNAME -u DOCKER_PASSWORD -u SINGULARITY_DOCKER_USERNAME -u SINGULARITY_DOCKER_PASSWORD
         HOME="$work/home" APPTAINER_CONFIGDIR="$config" DOTNET_REMOTE_SYSTEM_CONFIG="$work/system-remote.yaml"
         XDG_RUNTIME_DIR="$work/home" DOTNET_CLI_TELEMETRY_OPTOUT=1)
# What docker runs: the helper as `credential-helper install` puts it on PATH.
"${sandbox[@]}" PATH="$work/bin:$PATH" "$DOTNET_REMOTE" credential-helper install --dir "$work/bin" >/dev/null
installed=("${sandbox[@]}" "$work/bin/docker-credential-dotnet-remote" get)
echo "docker-credential-dotnet-remote: $(if [ -L "$work/bin/docker-credential-dotnet-remote" ]; then echo "link to $(readlink "$work/bin/docker-credential-dotnet-remote")"; elif [ "$(head -c 4 "$work/bin/docker-credential-dotnet-remote")" = $'\x7fELF' ]; then echo "native helper copy"; else echo "launcher script"; fi)" >&2
if [ -n "${COMPARE:-}" ]; then
    "${sandbox[@]}" PATH="$work/compare-bin:$PATH" "$COMPARE" credential-helper install --dir "$work/compare-bin" >/dev/null 2>&1
    compare=("${sandbox[@]}" "$work/compare-bin/docker-credential-dotnet-remote" get)
fi
tool=("${sandbox[@]}" "$DOTNET_REMOTE" credential get "docker://$HOST/x")
helper=("${sandbox[@]}" "$DOTNET_REMOTE" credential-helper get)
printf '%s' "$HOST" >"$work/server-url"
skopeo=("${sandbox[@]}" "$SKOPEO" login --get-login --authfile "$config/docker-config.json" "$HOST")

# Both must find the same entry before anything is timed.
"${tool[@]}" | grep -q '"Username":"user-1000"' || { echo "dotnet-remote credential get did not return user-1000" >&2; exit 1; }
"${helper[@]}" <"$work/server-url" | grep -q '"Username":"user-1000"' || { echo "dotnet-remote credential-helper get did not return user-1000" >&2; exit 1; }
"${installed[@]}" <"$work/server-url" | grep -q '"Username":"user-1000"' || { echo "docker-credential-dotnet-remote get did not return user-1000" >&2; exit 1; }
[ "$("${skopeo[@]}")" = "user-1000" ] || { echo "skopeo login --get-login did not return user-1000" >&2; exit 1; }

ms() { # run the command quietly, print its wall time in ms (bash's clock: no `date` process in the measurement)
    local start end
    start=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null <"$work/server-url"
    end=${EPOCHREALTIME/[.,]/}
    awk -v us=$((end - start)) 'BEGIN { printf "%.2f\n", us / 1000 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$work/installed.ms"
: >"$work/compare.ms"
: >"$work/tool.ms"
: >"$work/helper.ms"
: >"$work/skopeo.ms"
for _ in $(seq "$RUNS"); do
    ms "${installed[@]}" >>"$work/installed.ms"
    if [ -n "${COMPARE:-}" ]; then ms "${compare[@]}" >>"$work/compare.ms"; fi
    ms "${helper[@]}" >>"$work/helper.ms"
    ms "${tool[@]}" >>"$work/tool.ms"
    ms "${skopeo[@]}" >>"$work/skopeo.ms"
done

echo "docker-config.json: $REGISTRIES registries ($(wc -c <"$config/docker-config.json") bytes), lookup $HOST, $RUNS runs each, alternating"
echo "docker-credential-dotnet-remote get ($HOST on stdin)  median $(median <"$work/installed.ms") ms  (min $(sort -n "$work/installed.ms" | head -1), max $(sort -n "$work/installed.ms" | tail -1))"
if [ -n "${COMPARE:-}" ]; then
    echo "COMPARE's docker-credential-dotnet-remote get  median $(median <"$work/compare.ms") ms  (min $(sort -n "$work/compare.ms" | head -1), max $(sort -n "$work/compare.ms" | tail -1))"
fi
echo "dotnet-remote credential-helper get ($HOST on stdin)  median $(median <"$work/helper.ms") ms  (min $(sort -n "$work/helper.ms" | head -1), max $(sort -n "$work/helper.ms" | tail -1))"
echo "dotnet-remote credential get docker://$HOST/x  median $(median <"$work/tool.ms") ms  (min $(sort -n "$work/tool.ms" | head -1), max $(sort -n "$work/tool.ms" | tail -1))"
echo "skopeo login --get-login --authfile FILE $HOST  median $(median <"$work/skopeo.ms") ms  (min $(sort -n "$work/skopeo.ms" | head -1), max $(sort -n "$work/skopeo.ms" | tail -1))"
awk -v h="$(median <"$work/installed.ms")" -v s="$(median <"$work/skopeo.ms")" 'BEGIN { printf "docker-credential-dotnet-remote get / skopeo: %.2f (medians)\n", h / s }'
if [ -n "${COMPARE:-}" ]; then
    awk -v h="$(median <"$work/compare.ms")" -v s="$(median <"$work/skopeo.ms")" 'BEGIN { printf "COMPARE get / skopeo: %.2f (medians)\n", h / s }'
fi
