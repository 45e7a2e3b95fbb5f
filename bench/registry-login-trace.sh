#!/usr/bin/env bash
# Counts what one registry login does to files and the network, from the outside (strace), so the same script
# measures any commit: remote.yaml opens (user, system), docker-config.json opens, flock calls, renames (file
# replacements) and TCP connections to a fake registry on 127.0.0.1 (Basic auth; loopback, so https is tried first
# and the TLS handshake fails against the plain-http server, then http).
# Usage: bench/registry-login-trace.sh [path/to/dotnet-remote.dll]   (default: the Release build of this tree)
# Needs strace and python3. Prints one table row per counter.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dll="${1:-$here/src/Remote.Tool/bin/Release/net10.0/dotnet-remote.dll}"
work="$(mktemp -d)"; [ -z "${KEEP:-}" ] || echo "work: $work" >&2
trap 'kill "${server:-0}" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

cat > "$work/registry.py" <<'PY'
import base64, http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        good = "Basic " + base64.b64encode(b"ci-bot:s3cret").decode()
        if self.headers.get("Authorization") == good:
            self.send_response(200); body = b"{}"
        else:
            self.send_response(401); body = b'{"errors":[]}'
            self.send_header("WWW-Authenticate", 'Basic realm="fake"')
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$work/registry.py" > "$work/port" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port="$(cat "$work/port")"

mkdir -p "$work/home" "$work/config" "$work/etc"
chmod 700 "$work/config"
# A remote defined both in the system and the user file: the merge has an INFO note to print.
printf 'Active: mine\nRemotes:\n  mine:\n    URI: cloud.example.com\n' > "$work/config/remote.yaml"
chmod 600 "$work/config/remote.yaml"
printf 'Active: mine\nRemotes:\n  mine:\n    URI: other.example.com\n' > "$work/etc/remote.yaml"

# Files a user has had for a while (set FRESH=1 to run on files written just now: a file changed less than 2 s
# before it is read is compared by content when reused, so it is opened again).
age() { [ -n "${FRESH:-}" ] || touch -d '-1 minute' "$work/config/remote.yaml" "$work/etc/remote.yaml"; }

run() {
  local name="$1" file="$2"; shift 2
  age
  printf %s s3cret | env -i PATH="$PATH" HOME="$work/home" APPTAINER_CONFIGDIR="$work/config" \
    DOTNET_REMOTE_SYSTEM_CONFIG="$work/etc/remote.yaml" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    strace -f -qq -e trace=openat,rename,renameat,renameat2,flock,connect -y -o "$work/$file.trace" \
    dotnet "$dll" "$@" -u ci-bot --password-stdin "docker://127.0.0.1:$port" > "$work/$file.out" 2>&1 || { cat "$work/$file.out"; exit 1; }
  local t="$work/$file.trace"
  local user system docker locks renames conns info
  user=$(grep -c "openat(.*\"$work/config/remote.yaml\", O_RDONLY" "$t" || true)
  system=$(grep -c "openat(.*\"$work/etc/remote.yaml\", O_RDONLY" "$t" || true)
  docker=$(grep -c "openat(.*\"$work/config/docker-config.json\", O_RDONLY" "$t" || true)
  locks=$(grep -cE 'flock\([0-9]+<[^>]*\.lock>, LOCK_EX.*= 0$' "$t" || true)
  renames=$(grep -cE '(rename|renameat2?)\(.*= 0$' "$t" || true)
  conns=$(grep -cE "connect\(.*sin6?_port=htons\($port\)" "$t" || true)
  info=$(grep -c "defined both globally and individually" "$work/$file.out" || true)
  printf '| %-28s | %d | %d | %d | %d | %d | %d | %d |\n' "$name" "$user" "$system" "$docker" "$locks" "$renames" "$conns" "$info"
}

echo "| command | user remote.yaml opens | system remote.yaml opens | docker-config.json opens | lock acquisitions (flock on .lock) | renames | TCP connects to the registry | merge INFO lines |"
echo "|---|---|---|---|---|---|---|---|"
run "login docker://" login login
rm -f "$work/config/docker-config.json"
printf 'Active: mine\nRemotes:\n  mine:\n    URI: cloud.example.com\n' > "$work/config/remote.yaml"
run "registry login docker://" registry-login registry login
