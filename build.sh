#!/usr/bin/env bash
# Bootstrap: the Cake .NET tool (pinned in .config/dotnet-tools.json) runs build/build.cake.
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore >/dev/null
exec dotnet cake build/build.cake "$@"
