#!/usr/bin/env bash
# Run one pao validation command (its arguments are this script's), print
# its diagnostics as GitHub annotations, and exit with its status: 0 when
# only warnings were found, 1 on errors, 2 on a usage error.
#
#   PAO_PATH_PREFIX  put before each reported file (the catalog's folder)
set -uo pipefail

report="$(mktemp)"
trap 'rm -f "$report"' EXIT

"$@" --format json >"$report"
status=$?

if ! pao annotate --path-prefix "${PAO_PATH_PREFIX:-}" <"$report"; then
  status=1
fi
exit "$status"
