#!/bin/sh
# Runs git-stage's benchmarks, each side by side with the plain git
# commands a careful user would type for the same job, pair after pair,
# and prints a markdown table: per row the median of the pairs' wall-time
# ratios with their min and max, the median of their CPU ratios, each
# side's median time per run, and the peak RSS of each side.
#
# Usage: testscripts/bench.sh [BENCHTIME]     (default 5x: five pairs each)
#
#   BENCH_FULL=1   also 100k files and 20k files with deep history (3,000
#                  commits), status of 50 copies of 20k files, and
#                  stage.copy of 50,000 files; without it 2k and 20k files
#   BENCH=REGEXP   only the benchmarks go test -bench REGEXP selects, e.g.
#                  BENCH='Clone/files=20k$/remote=disk'
#   GIT_STAGE_BENCH_DIR=DIR   build the fixtures in DIR and keep them (and
#                  the raw output, bench.txt) for the next run; by default
#                  a temporary directory, removed at the end
set -eu
cd "$(dirname "$0")/.."
if [ -n "${GIT_STAGE_BENCH_DIR:-}" ]; then
	mkdir -p "$GIT_STAGE_BENCH_DIR"
else
	GIT_STAGE_BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/git-stage-bench.XXXXXX")
	trap 'rm -rf "$GIT_STAGE_BENCH_DIR"' EXIT
	trap 'exit 1' INT TERM
fi
export GIT_STAGE_BENCH_DIR
full=
case "${BENCH_FULL:-}" in "" | 0) ;; *) full=1 ;; esac
if [ -n "$full" ]; then
	bench='^Benchmark(Clone|SyncBack|SyncBackRebase|Status50|List10k|CopyUntracked)$'
else
	bench='^Benchmark(Clone|SyncBack|SyncBackRebase|Status50|List10k)$'
fi
bench=${BENCH:-$bench}
out="$GIT_STAGE_BENCH_DIR/bench.txt"
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*load averages*: //'; }
started="$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(load)"
go test -run '^$' -bench "$bench" -benchtime "${1:-5x}" -timeout 0 ./cmd/git-stage ./stage >"$out"
cores=$(getconf _NPROCESSORS_ONLN)
echo "$started; $cores cores; $(git --version); $(go version | cut -d' ' -f3)"
echo
awk -v cores="$cores" '
BEGIN {
	job["Clone"] = "clone"; order["Clone"] = 1
	job["SyncBack/commits=1"] = "sync-back of 1 commit"; order["SyncBack/commits=1"] = 2
	job["SyncBack/commits=100"] = "sync-back of 100 commits"; order["SyncBack/commits=100"] = 3
	job["SyncBackRebase"] = "sync-back --rebase, base moved by 1 commit"; order["SyncBackRebase"] = 4
	job["Status50/copies=fresh"] = "status of 50 copies, each as cloned"; order["Status50/copies=fresh"] = 5
	job["Status50/copies=ahead"] = "status of 50 copies, each 1 commit ahead"; order["Status50/copies=ahead"] = 5
	job["List10k"] = "list of 10,000 copies"; order["List10k"] = 6
	job["CopyUntracked"] = "stage.copy of 50,000 files"; order["CopyUntracked"] = 7
	vs["Clone", "worktree-b"] = "`git worktree add -b`"
	vs["Clone", "worktree-detach"] = "`git worktree add --detach`"
	vs["Clone", "hand"] = "hand: `clone --local`, `remote set-url`, `push -u`"
	vs["SyncBack", "hand"] = "hand: push temp, fetch, merge --ff-only, push base and delete temp"
	vs["SyncBackRebase", "hand"] = "hand: fetch, rebase, push temp; fetch, merge --ff-only, push base and delete temp"
	vs["Status50", "git-status-per-core"] = "50 × `git status` ÷ " cores " cores"
	vs["List10k", "git-version"] = "`git --version`"
	vs["CopyUntracked", "cp-a"] = "`cp -a`"
	side["worktree-b"] = 1; side["hand"] = 2; side["worktree-detach"] = 3
	size["2k"] = 1; size["20k"] = 2; size["100k"] = 3; size["20k-deep"] = 4
	sizename["20k-deep"] = "20k, deep history"
}
/^Benchmark/ {
	n = split($1, part, "/")
	sub(/-[0-9]+$/, "", part[n]) # the -GOMAXPROCS suffix
	name = part[1]; sub(/^Benchmark/, "", name)
	files = "–"; remote = "–"; variant = ""
	for (i = 2; i <= n; i++) {
		if (part[i] ~ /^files=/) files = substr(part[i], 7)
		else if (part[i] ~ /^remote=/) remote = substr(part[i], 8)
		else variant = variant "/" part[i]
	}
	split("", m); split("", against)
	for (i = 3; i < NF; i += 2) {
		m[$(i+1)] = $i
		if ($(i+1) ~ /^x-median:/) against[substr($(i+1), 10)] = 1
	}
	if (name == "CopyUntracked") { # one ratio of the sums: stage has no pairs
		m["x-median:cp-a"] = m["x-cp-a"]; m["ms:git-stage"] = m["ms/copy"]; m["ms:cp-a"] = m["ms/cp-a"]
		against["cp-a"] = 1
	}
	for (a in against) {
		ratio = sprintf("%.2f×", m["x-median:" a])
		if (("x-min:" a) in m) ratio = ratio sprintf(" (%.2f–%.2f)", m["x-min:" a], m["x-max:" a])
		cpu = (("cpu-x-median:" a) in m) ? sprintf("%.2f×", m["cpu-x-median:" a]) : "–"
		rss = (("MB:" a) in m) ? sprintf("%.1f / %.1f MB", m["MB:git-stage"], m["MB:" a]) : "–"
		label = (name variant) in job ? job[name variant] : name variant
		against_label = (name, a) in vs ? vs[name, a] : a
		key = sprintf("%02d %02d %02d %s", order[name variant], side[a], size[files], remote == "disk" ? 1 : 2)
		printf "%s\t| %s | %s | %s | %s | %s | %s | %.0f | %.0f | %s |\n", key, label, against_label,
			(files in sizename) ? sizename[files] : files, remote, ratio, cpu, m["ms:git-stage"], m["ms:" a], rss
	}
}' "$out" >"$out.rows"
echo "| job | against | files | remote | ratio median (min–max) | CPU ratio | git-stage ms | plain ms | peak RSS (git-stage / plain) |"
echo "|---|---|---|---|---|---|---|---|---|"
sort -s -t'	' -k1,1 "$out.rows" | cut -f2-
echo
echo "Finished $(date -u '+%H:%M UTC'), load average $(load)."
