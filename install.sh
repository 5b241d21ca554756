#!/usr/bin/env bash
# Build git-stage and install it into <prefix>/bin, with the link
# git-staging that Git dispatches `git staging ...` to.
#
#   ./install.sh [--prefix DIR]               (default: $PREFIX, else ~/.local)
#   ./install.sh --uninstall [--prefix DIR]
#
# Running it again replaces what it installed. It needs Go and Git.
set -euo pipefail

usage() {
	sed -n '2,8s/^# \{0,1\}//p' "$0"
}
die() {
	echo "install.sh: $*" >&2
	exit 1
}

prefix="${PREFIX:-$HOME/.local}"
uninstall=0
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix)
		[ $# -ge 2 ] || die "--prefix needs a directory"
		prefix="$2"
		shift 2
		;;
	--prefix=*)
		prefix="${1#--prefix=}"
		shift
		;;
	--uninstall)
		uninstall=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "install.sh: unknown argument: $1" >&2
		usage >&2
		exit 2
		;;
	esac
done
[ -n "$prefix" ] || die "the prefix is empty"
case "$prefix" in
/*) ;;
*) prefix="$PWD/$prefix" ;;
esac
bin="$prefix/bin"

man1="$prefix/share/man/man1"
# bash-completion loads <dir>/../share/bash-completion/completions/<command>
# for each <dir> on PATH; Git's completion asks it for git-staging when it
# meets `git staging`.
completions="$prefix/share/bash-completion/completions"

if [ "$uninstall" = 1 ]; then
	# Remove only what install.sh put there.
	for page in git-stage git-staging; do
		f="$man1/$page.1"
		if [ -f "$f" ] && head -n 1 "$f" | grep -q '"git-stage '; then
			rm -f "$f"
			echo "removed $f"
		fi
		f="$completions/$page"
		if [ -f "$f" ] && head -n 1 "$f" | grep -q '^# bash completion for git-stage'; then
			rm -f "$f"
			echo "removed $f"
		fi
	done
	if [ -L "$bin/git-staging" ] && [ "$(readlink "$bin/git-staging")" = git-stage ]; then
		rm -f "$bin/git-staging"
		echo "removed $bin/git-staging"
	fi
	if [ -f "$bin/git-stage" ] && "$bin/git-stage" --version 2>/dev/null | grep -q '^git-stage '; then
		rm -f "$bin/git-stage"
		echo "removed $bin/git-stage"
	fi
	exit 0
fi

cd "$(dirname "$0")"
go=go
if ! command -v go >/dev/null 2>&1; then
	[ -x /usr/local/go/bin/go ] || die "Go is needed to build git-stage (https://go.dev/dl/)"
	go=/usr/local/go/bin/go
fi
command -v git >/dev/null 2>&1 || die "git-stage drives git, which is not on PATH"
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)

mkdir -p "$bin"
tmp=$(mktemp "$bin/.git-stage.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# The version comes from git describe above, so Go need not stamp VCS data.
# Without cgo the binary is static: no dynamic loader at each start, which
# is a fifth of the start-up time of a command like list.
CGO_ENABLED=0 "$go" build -buildvcs=false -trimpath -ldflags "-X main.version=$version" -o "$tmp" ./cmd/git-stage
chmod 755 "$tmp"
mv -f "$tmp" "$bin/git-stage"
ln -sfn git-stage "$bin/git-staging"
echo "installed $bin/git-stage and $bin/git-staging ($version)"

# Manual pages, generated from the command line itself: `git staging
# --help` is Git running `man git-staging`.
mkdir -p "$man1"
for page in git-stage git-staging; do
	"$bin/$page" man >"$man1/$page.1.tmp"
	mv -f "$man1/$page.1.tmp" "$man1/$page.1"
done
echo "installed the manual pages git-stage(1) and git-staging(1) in $man1"

mkdir -p "$completions"
for cmd in git-stage git-staging; do
	"$bin/git-stage" completion bash >"$completions/$cmd.tmp"
	mv -f "$completions/$cmd.tmp" "$completions/$cmd"
done
echo "installed bash completion in $completions (zsh, fish: source the output of git-stage completion zsh|fish)"

case ":$PATH:" in
*":$bin:"*) ;;
*) echo "note: $bin is not on your PATH; add it, e.g. export PATH=\"$bin:\$PATH\"" ;;
esac
