#!/usr/bin/env bash
# Fails when a source file of src/, platform/, include/ or tests/ differs from what
# clang-format makes of it (.clang-format at the root). `scripts/check-format.sh --fix`
# rewrites them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'src/*.[ch]pp' 'src/*.[ch]' 'platform/*.[ch]pp' 'include/*.[ch]pp' 'include/*.h' \
                                  'tests/*.[ch]pp' 'tests/*.[ch]' | sort -u)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
unformatted=$(clang-format --dry-run -Werror "${files[@]}" 2>&1 | grep -E '^[^ ]+:[0-9]+:[0-9]+: error:' | cut -d: -f1 | sort -u || true)
if [ -n "$unformatted" ]; then
  echo "error: not formatted as .clang-format says (scripts/check-format.sh --fix):"
  echo "$unformatted" | sed 's/^/  /'
  exit 1
fi
echo "format ok: ${#files[@]} files"
