#!/usr/bin/env bash
# Builds the project's image from the unchanged Dockerfile with podman, never pulling: the
# base comes from base.sh (a stand-in built from Debian's and npm's registries, unless podman
# already holds the real one), and RUN steps use the host's network (npm ci). Then writes the
# image's SBOM (CycloneDX JSON: sbom.ts) to dist/image/. Prints the image's name, size, ID,
# digest and the SBOM's path. Needs the project's node_modules (make install).
#
#   build.sh           tag it as the chart's default image (image.repository:appVersion)
#   build.sh IMAGE     tag it IMAGE instead (also: IMAGE=… in the environment)
#   build.sh --help
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

say() { printf 'make image: %s\n' "$*" >&2; }
podman() { "$here/podman.sh" "$@"; }

# The reference the chart renders by default, so `helm install` runs what this built.
chart_image() {
  local repository version
  repository=$(sed -nE '/^image:/,/^[^ ]/s/^  repository: *"?([^" ]+)"?.*/\1/p' "$repo/charts/mcs-bridge/values.yaml")
  version=$(sed -nE 's/^appVersion: *"?([^" ]+)"?.*/\1/p' "$repo/charts/mcs-bridge/Chart.yaml")
  echo "$repository:$version"
}

case "${1:-}" in
  -h|--help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; echo "Default image: $(chart_image)"; exit 0 ;;
  -*) say "unknown option '$1' (try --help)"; exit 2 ;;
esac
image=${1:-${IMAGE:-$(chart_image)}}

# Where the build cannot run, one line says why.
command -v podman >/dev/null 2>&1 || { say "podman is not installed: run 'make image-deps' as root (Debian: apt-get install podman)"; exit 1; }
if [ "$(id -u)" != 0 ] && ! unshare --user --map-root-user true 2>/dev/null; then
  say "cannot build here: not root, and this kernel or sandbox gives no user namespaces (rootless podman needs them)"
  exit 1
fi
if ! err=$(podman info 2>&1 >/dev/null); then
  say "podman cannot run here: $(printf '%s\n' "$err" | grep -m1 -v '^$')"
  exit 1
fi

# npm in the build trusts what npm here trusts: where that takes an extra CA (a TLS-inspecting
# proxy: NODE_EXTRA_CA_CERTS, or npm's cafile), the build's RUN steps get a global npmrc naming a
# CA file (Node's own roots and those). Both sit in a folder mounted over /usr/local/etc (npm's
# global config folder, empty in Debian) for the build only: a mount over a folder that exists
# leaves nothing in a layer, where a file mounted at a new path would leave an empty file.
npm_ca_flags() {
  local dir=$1 cafile
  cafile=$(cd "$repo" && npm config get cafile 2>/dev/null || true)
  case $cafile in null | undefined) cafile="" ;; esac
  [ -n "${NODE_EXTRA_CA_CERTS:-}$cafile" ] || return 0
  node -e '
    const fs = require("node:fs");
    const pem = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
    const extra = process.argv.slice(1).filter(Boolean).flatMap((f) => fs.readFileSync(f, "utf8").match(pem) ?? []);
    fs.writeFileSync(process.env.OUT, [...require("node:tls").rootCertificates, ...extra].join("\n") + "\n");
  ' "${NODE_EXTRA_CA_CERTS:-}" "$cafile"
  echo "cafile=/usr/local/etc/npm-build-ca.pem" >"$dir/npmrc"
  echo "--volume=$dir:/usr/local/etc:ro"
}

start=$SECONDS
"$here/base.sh" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/build.log
mkdir -m 0755 "$tmp/etc"
ca_flags=$(OUT=$tmp/etc/npm-build-ca.pem npm_ca_flags "$tmp/etc")
say "building $image from the Dockerfile"
# shellcheck disable=SC2086 # ca_flags: one flag or none, a path without spaces (mktemp)
if ! podman build --pull=never --network=host --layers $ca_flags -t "$image" "$repo" >"$log" 2>&1; then
  say "podman build failed. Last lines:"; tail -n 30 "$log" >&2; exit 1
fi
read -r id size digest < <(podman image inspect --format '{{.Id}} {{.Size}} {{.Digest}}' "$image")
say "built in $((SECONDS - start))s"
sbom=$(cd "$repo" && node --enable-source-maps --import tsx test/image/sbom.ts "$image")
printf '%s\n  size:   %s MB (%s bytes, uncompressed)\n  id:     sha256:%s\n  digest: %s (local; a registry reports its own after push)\n  sbom:   %s (CycloneDX: Node.js, the npm packages, the Debian packages)\n' \
  "$image" "$(( (size + 500000) / 1000000 ))" "$size" "$id" "$digest" "$sbom"
