#!/usr/bin/env bash
# Builds the results site from every report kept under REPORTS (REPORTS/*/report.json, as
# keep-report.sh lays them out), oldest directory first. The weekly workflow's only
# site-building step; test/site-workflow.test.ts runs it on recorded reports.
#
#   build-site.sh REPORTS OUT
#
# NETPARITY_CLI is the command to run (default: npx --no-install netparity).
set -euo pipefail
reports=${1:?usage: build-site.sh REPORTS OUT}
out=${2:?usage: build-site.sh REPORTS OUT}
dirs=()
while IFS= read -r d; do dirs+=("$d"); done < <(find "$reports" -mindepth 2 -maxdepth 2 -name report.json -exec dirname {} \; | LC_ALL=C sort)
if [ ${#dirs[@]} -eq 0 ]; then
  echo "build-site: no */report.json under $reports" >&2
  exit 2
fi
read -r -a cli <<<"${NETPARITY_CLI:-npx --no-install netparity}"
"${cli[@]}" site "${dirs[@]}" --out "$out"
