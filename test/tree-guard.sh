#!/usr/bin/env bash
# A test run leaves the tree as it found it: its results go to .results/ (ignored), and rendering
# them into docs/ is a target a person runs and commits. `make check` and `make test` save what
# the work tree holds before they run and compare after; a tracked file changed, or an untracked
# one left outside the ignored folders, fails the run with the files named.
#
#   tree-guard.sh save FILE    write the state of the work tree to FILE
#   tree-guard.sh check FILE   exit 1, naming the files, when the work tree differs from FILE
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Which files differ from HEAD or are untracked, and a hash of each one's content, so an edit to a
# file that was already modified counts too.
state() {
  { git diff --name-only -z HEAD; git ls-files --others --exclude-standard -z; } | tr '\0' '\n' | sort -u |
    while IFS= read -r f; do
      [ -n "$f" ] || continue
      if [ -f "$f" ]; then printf '%s %s\n' "$(git hash-object -- "$f")" "$f"; else printf 'gone %s\n' "$f"; fi
    done
}

case "${1:-}" in
  save|check) [ -n "${2:-}" ] || { echo "tree-guard: $1 needs a FILE" >&2; exit 2; } ;;
  *) echo "usage: tree-guard.sh save|check FILE" >&2; exit 2 ;;
esac
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "tree-guard: not a git work tree; the tree is not checked" >&2
  exit 0
fi
if [ "$1" = save ]; then
  mkdir -p "$(dirname "$2")"
  state >"$2"
  exit 0
fi
[ -f "$2" ] || { echo "tree-guard: no saved state in $2" >&2; exit 2; }
changed=$(diff <(cat "$2") <(state) | sed -nE 's/^[<>] [^ ]+ //p' | sort -u || true)
if [ -n "$changed" ]; then
  echo "tree-guard: the run changed the work tree; a run must write only to ignored folders (.results/, .sandbox/, dist/):" >&2
  printf '%s\n' "$changed" | sed 's/^/  /' >&2
  exit 1
fi
echo "tree-guard: the work tree is as the run found it"
