#!/usr/bin/env bash
# Prepares this machine for the integration tests (tests/integration): Debian packages, a running
# Docker engine, loopback host names and the environment Testcontainers 4.16 needs on Docker 20.10.
# Idempotent and quiet when everything is already there. Needs root for the install/start/hosts steps.
#
#   bash eng/setup-test-env.sh          # prepare the machine (env vars only affect this script)
#   source eng/setup-test-env.sh        # prepare and export the env vars into the calling shell
#
# Exported: DOCKER_API_VERSION=1.41 TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1

_remote_setup_test_env() {
    set -euo pipefail
    # golang-go + golang-gopkg-yaml.v2-dev: eng/yamlv2-reference, the yaml.v2 reference for remote.yaml (unit tests).
    local pkgs="docker.io docker-registry sks skopeo podman gnupg nginx apache2-utils curl ca-certificates golang-go golang-gopkg-yaml.v2-dev"
    local missing="" p
    for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "setup-test-env: missing packages:$missing (run as root to install them)" >&2
            return 1
        fi
        echo "setup-test-env: installing$missing" >&2
        # Keep apt from starting services (nginx on :80) during install.
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
            chmod +x /usr/sbin/policy-rc.d
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi

    local sock=/var/run/docker.sock
    if ! curl -sf --max-time 2 --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "setup-test-env: the Docker engine does not answer on $sock (run as root to start dockerd)" >&2
            return 1
        fi
        echo "setup-test-env: starting dockerd (log: /tmp/dockerd.log)" >&2
        nohup dockerd >/tmp/dockerd.log 2>&1 </dev/null &
        local i=0
        until curl -sf --max-time 2 --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; do
            i=$((i + 1))
            if [ "$i" -gt 240 ]; then
                echo "setup-test-env: dockerd did not start within 60 s" >&2
                tail -20 /tmp/dockerd.log >&2 || true
                return 1
            fi
            sleep 0.25
        done
    fi

    local line name
    for line in "127.0.0.2 registry-a.test" "127.0.0.3 registry-b.test" "127.0.0.4 keys.test" "127.0.0.5 library.test"; do
        name=${line#* }
        if ! grep -Eq "^[^#]*[[:space:]]${name//./\\.}([[:space:]]|\$)" /etc/hosts; then
            if [ "$(id -u)" -ne 0 ]; then
                echo "setup-test-env: /etc/hosts lacks '$line' (run as root to add it)" >&2
                return 1
            fi
            printf '%s\n' "$line" >> /etc/hosts
        fi
    done

    export DOCKER_API_VERSION=1.41
    export TESTCONTAINERS_RYUK_DISABLED=true
    export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # Sourced: do the machine work in a child bash (so `set -e` really applies and the caller's shell
    # options stay untouched), then export the variables into the caller.
    unset -f _remote_setup_test_env
    bash "${BASH_SOURCE[0]}" || return $?
    export DOCKER_API_VERSION=1.41
    export TESTCONTAINERS_RYUK_DISABLED=true
    export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
else
    set -euo pipefail
    _remote_setup_test_env
fi
