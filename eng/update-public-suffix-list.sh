#!/usr/bin/env bash
# Refreshes the Public Suffix List snapshot embedded in Remote.Core (MPL-2.0 data, see
# src/Remote.Core/Registries/PublicSuffix/README.md). Takes a local copy of the list: by default the one of Debian's
# `publicsuffix` package (apt-get install publicsuffix), or any file given as the first argument.
# Usage: eng/update-public-suffix-list.sh [path/to/public_suffix_list.dat]
set -euo pipefail

source_file="${1:-/usr/share/publicsuffix/public_suffix_list.dat}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="$root/src/Remote.Core/Registries/PublicSuffix"

if [ ! -f "$source_file" ]; then
    echo "no list at $source_file (apt-get install publicsuffix, or pass a file)" >&2
    exit 1
fi
# A sanity check before replacing the snapshot: the list's own markers and licence header.
for marker in '===BEGIN ICANN DOMAINS===' '===END PRIVATE DOMAINS===' 'Mozilla Public'; do
    if ! grep -q "$marker" "$source_file"; then
        echo "$source_file does not look like the Public Suffix List (missing \"$marker\")" >&2
        exit 1
    fi
done

install -m 0644 "$source_file" "$target_dir/public_suffix_list.dat"

# The snapshot's date: the Debian package version when it comes from the package, else the file's date.
if version=$(dpkg-query -W -f '${Version}' publicsuffix 2>/dev/null) && [ "$source_file" = /usr/share/publicsuffix/public_suffix_list.dat ]; then
    date="$(echo "$version" | sed -E 's/^([0-9]{4})([0-9]{2})([0-9]{2}).*/\1-\2-\3/') (Debian package \`publicsuffix\` $version)"
else
    date="$(date -u -r "$source_file" +%Y-%m-%d) (copied from $source_file)"
fi
sed -i -E "s#^\| snapshot \|.*#| snapshot | $date |#" "$target_dir/README.md"
echo "Public Suffix List snapshot updated: $date"
