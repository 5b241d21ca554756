#!/bin/sh
# Runs git-stage's benchmarks, each side by side with the plain git
# commands a careful user would type for the same job, and prints the
# table docs/performance.md shows. The fixture (20,000 files
# in 200 directories with history, its remote behind git daemon) is built
# once, in a temporary directory removed at the end.
#
# Usage: testscripts/bench.sh [BENCHTIME]     (default 5x: five runs each)
set -eu
cd "$(dirname "$0")/.."
GIT_STAGE_BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/git-stage-bench.XXXXXX")
export GIT_STAGE_BENCH_DIR
trap 'rm -rf "$GIT_STAGE_BENCH_DIR"' EXIT
trap 'exit 1' INT TERM
out="$GIT_STAGE_BENCH_DIR/bench.txt"
go test -run '^$' -bench '^Benchmark(Clone|SyncBack|SyncBackRebase|List10k|CopyUntracked)$' -benchtime "${1:-5x}" \
	./cmd/git-stage ./stage >"$out"
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(git --version), $(go version | cut -d' ' -f3)"
echo
awk '
/^Benchmark/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) m[name, $(i+1)] = $i
}
function row(what, ours, theirs, vs, ratio, target) {
	printf "| %s | %.0f ms | %s | %.0f ms | %.2f× | %s |\n", what, ours, vs, theirs, ratio, target
}
END {
	print "| git-stage | time | plain git | time | ratio | target |"
	print "|---|---|---|---|---|---|"
	row("clone, 20,000 files", m["Clone", "ms/clone"], m["Clone", "ms/worktree-add"], "git worktree add --detach", m["Clone", "x-worktree-add"], "≤ 1.5×")
	row("clone, 20,000 files", m["Clone", "ms/clone"], m["Clone", "ms/hand"], "clone --local, set-url, push -u", m["Clone", "x-hand"], "")
	row("sync-back of one commit", m["SyncBack", "ms/sync-back"], m["SyncBack", "ms/hand"], "push, fetch, merge --ff-only, push --atomic", m["SyncBack", "x-hand"], "≤ 1.3×")
	row("sync-back --rebase, base moved by one commit", m["SyncBackRebase", "ms/sync-back"], m["SyncBackRebase", "ms/hand"], "in the copy fetch, rebase, push; then fetch, merge --ff-only, push --atomic", m["SyncBackRebase", "x-hand"], "≤ 1.3×")
	row("list, 10,000 copies", m["List10k", "ms/list"], m["List10k", "ms/git-version"], "git --version", m["List10k", "x-git-version"], "< 50 ms")
	row("stage.copy of 50,000 files", m["CopyUntracked", "ms/copy"], m["CopyUntracked", "ms/cp-a"], "cp -a", m["CopyUntracked", "x-cp-a"], "")
}' "$out"
