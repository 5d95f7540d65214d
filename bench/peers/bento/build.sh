#!/usr/bin/env bash
# Builds the Bento peer (main.go, pinned by go.mod/go.sum to Bento v1.19.0) once, outside the tree,
# and prints the binary's path on stdout; everything else goes to stderr. Idempotent: a binary
# built from the same main.go/go.mod/go.sum is reused (the stamp is their sha256).
#
#   RDSTREAM_ENGINE_CACHE  cache root (default ~/.cache/rdstream/engines); the Go module cache,
#                          build cache and binary live in $RDSTREAM_ENGINE_CACHE/bento-1.19.0/
#   GO                     the go command (default /usr/local/go/bin/go, else go on PATH)
#   BENTO_BUILD_PROCS      GOMAXPROCS of the build (default 1: the machine has 2 cores and may be
#                          running tests; the build is `go build -p 1` in any case)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${RDSTREAM_ENGINE_CACHE:-$HOME/.cache/rdstream/engines}/bento-1.19.0
go_cmd=${GO:-/usr/local/go/bin/go}
[[ -x "$go_cmd" ]] || go_cmd=$(command -v go) || { echo "build.sh: no Go toolchain (set GO)" >&2; exit 2; }
bin="$cache/bin/bento"
stamp=$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -d' ' -f1)
if [[ -x "$bin" && "$(cat "$cache/bin/stamp" 2>/dev/null)" == "$stamp" ]]; then
  echo "build.sh: $bin is up to date" >&2
  echo "$bin"
  exit 0
fi
mkdir -p "$cache/bin"
export GOPATH="$cache/gopath" GOMODCACHE="$cache/gopath/pkg/mod" GOCACHE="$cache/gocache"
export GOFLAGS="-p=1 -mod=readonly" GOMAXPROCS="${BENTO_BUILD_PROCS:-1}" GOTOOLCHAIN=local CGO_ENABLED=0
echo "build.sh: building Bento v1.19.0 with $("$go_cmd" version) into $bin (a few minutes the first time)" >&2
cd "$here"
# -trimpath: no paths of this machine in the binary; -s -w: no symbol tables (smaller, same code).
"$go_cmd" build -p 1 -trimpath -ldflags "-s -w" -o "$bin.tmp" . >&2
mv "$bin.tmp" "$bin"
echo "$stamp" >"$cache/bin/stamp"
echo "build.sh: built $bin ($(du -h "$bin" | cut -f1))" >&2
echo "$bin"
