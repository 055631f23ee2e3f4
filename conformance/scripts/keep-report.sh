#!/usr/bin/env bash
# Keeps one run's report.json on the data branch: reports/<start>/report.json, where <start>
# is when the run started (UTC, from the report). Run from inside the repository's checkout;
# the branch is created (an orphan, holding only reports/) the first time. The results site
# is then built from every report on that branch (build-site.sh). See conformance/docs/site.md.
#
#   keep-report.sh REPORT_JSON WORKTREE_DIR [BRANCH]   (BRANCH default: results-data)
#
# NETPARITY_DATA_REMOTE names the remote to fetch from and push to (default: origin).
set -euo pipefail
report=${1:?usage: keep-report.sh REPORT_JSON WORKTREE_DIR [BRANCH]}
dir=${2:?usage: keep-report.sh REPORT_JSON WORKTREE_DIR [BRANCH]}
branch=${3:-results-data}
remote=${NETPARITY_DATA_REMOTE:-origin}
report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")

# The run's start: the report's startedAt, else generatedAt less its duration.
stamp=$(node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  if (r.schema !== "netparity.report/1") { console.error(process.argv[1] + ": not a netparity report"); process.exit(2); }
  const t = r.startedAt ? Date.parse(r.startedAt) : Date.parse(r.generatedAt) - (r.summary?.durationMs ?? 0);
  console.log(new Date(t).toISOString().slice(0, 19).replace(/:/g, "-") + "Z");
' "$report")

if git ls-remote --exit-code --heads "$remote" "$branch" >/dev/null 2>&1; then
  git fetch --quiet "$remote" "$branch"
  git worktree add --quiet --detach "$dir" FETCH_HEAD
  git -C "$dir" checkout --quiet -B "$branch"
else
  git worktree add --quiet --detach "$dir" HEAD
  git -C "$dir" checkout --quiet --orphan "$branch"
  git -C "$dir" rm -rfq .
fi

dest="$dir/reports/$stamp"
if [ -e "$dest/report.json" ]; then
  echo "keep-report: $branch already has reports/$stamp/report.json" >&2
  exit 0
fi
mkdir -p "$dest"
cp "$report" "$dest/report.json"
git -C "$dir" add "reports/$stamp/report.json"
git -C "$dir" -c user.name="${GIT_AUTHOR_NAME:-netparity results}" -c user.email="${GIT_AUTHOR_EMAIL:-netparity-results@users.noreply.github.com}" \
  commit --quiet -m "report of the run started $stamp"
git -C "$dir" push --quiet "$remote" "HEAD:refs/heads/$branch"
echo "keep-report: $branch reports/$stamp/report.json"
