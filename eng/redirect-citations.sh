#!/usr/bin/env bash
# Rewrites code comments that cite documents outside the repository ("spec §2.2.2", "v12-delta §2.5", "design.md",
# "shared/seed/…") into citations of docs/compatibility.md, using eng/compat-citations.tsv (one "old<TAB>new" per line).
#
#   eng/redirect-citations.sh [-n] [ROOT]
#
#   -n    dry run: rewrite a temporary copy of src/ and tests/, print the counts and what is left, change nothing
#   ROOT  the tree to rewrite (default: the repository holding this script); only ROOT/src and ROOT/tests are
#         touched: every *.cs file, and the Markdown files under tests/ (tests/integration/README.md cites too)
#
# Longer citations are replaced first, so "spec §7.5 item 21" is never cut down to "spec §7.5". A space in a citation
# also matches a line break followed by a comment prefix ("///"), so citations wrapped over two lines are found. A
# citation ending in a digit does not match a longer number ("spec §5" leaves "spec §5.4" alone). Running it twice
# changes nothing the second time. It exits 1 and lists the lines when a citation of an outside document is left.
set -euo pipefail
export LC_ALL=C

dry_run=false
if [[ "${1:-}" == "-n" ]]; then
  dry_run=true
  shift
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${1:-$(dirname "$here")}"
mapping="$here/compat-citations.tsv"
[[ -f "$mapping" ]] || { echo "redirect-citations: $mapping not found" >&2; exit 2; }
[[ -d "$root/src" && -d "$root/tests" ]] || { echo "redirect-citations: $root has no src/ and tests/" >&2; exit 2; }

if $dry_run; then
  copy="$(mktemp -d)"
  trap 'rm -rf "$copy"' EXIT
  cp -r "$root/src" "$root/tests" "$copy/"
  root="$copy"
fi

mapfile -d '' files < <(find "$root/src" "$root/tests" \( -name bin -o -name obj \) -prune -o -type f \
  \( -name '*.cs' -o \( -path "$root/tests/*" -name '*.md' \) \) -print0 | sort -z)

# Escapes a literal for a sed/grep ERE; a space becomes "whitespace or comment slashes".
to_regex() {
  local text="$1" out="" i c
  for ((i = 0; i < ${#text}; i++)); do
    c="${text:i:1}"
    case "$c" in
      ' ') out+='[[:space:]/]+' ;;
      [\\.\[\]\(\)*+?{}\|^\$]) out+="\\$c" ;;
      *) out+="$c" ;;
    esac
  done
  printf '%s' "$out"
}

# Escapes a literal for the replacement side of sed's s command.
to_replacement() {
  local text="$1"
  text="${text//\\/\\\\}"
  text="${text//&/\\&}"
  printf '%s' "$text"
}

# Longest old text first.
mapfile -t rows < <(awk -F'\t' 'NF == 2 && $1 != "" { print length($1) "\t" $0 }' "$mapping" | sort -t$'\t' -k1,1nr -s | cut -f2-)

sep=$'\001'
total=0
for row in "${rows[@]}"; do
  old="${row%%$'\t'*}"
  new="${row#*$'\t'}"
  regex="$(to_regex "$old")"
  replacement="$(to_replacement "$new")"
  if [[ "$old" =~ [0-9]$ ]]; then
    # Not followed by more of a section number: a digit, or a dot and a digit.
    regex+='([^0-9.]|\.[^0-9]|\.?$)'
    replacement+='\1'
  fi

  count=$(cat "${files[@]}" | grep -zoE "$regex" | tr -cd '\0' | wc -c || true)
  total=$((total + count))
  printf '%4d  %s\n' "$count" "$old"
  if ((count > 0)); then
    sed -z -E -i "s${sep}${regex}${sep}${replacement}${sep}g" "${files[@]}"
  fi
done
printf '%4d  citations rewritten%s\n' "$total" "$($dry_run && echo ' (dry run: in a temporary copy)' || true)"

# What is left: a section sign outside an RFC citation, or a name of an outside document.
left=$(grep -nE '§|v12-delta|apptainer-remote-spec|design\.md|shared/seed|shared/docs' "${files[@]}" | grep -vE 'RFC [0-9]+ §' || true)
if [[ -n "$left" ]]; then
  echo "redirect-citations: citations of outside documents remain (add them to $mapping):" >&2
  printf '%s\n' "$left" >&2
  exit 1
fi
