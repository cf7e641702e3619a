# Sourced by base.sh and node.sh: fetches a package's tarball from the npm registry npm is set
# up with, and accepts it only when its sha512 is both the one pinned in base.env and the one
# the registry's metadata gives (dist.integrity). A pin that no longer matches, or a registry
# that serves other bytes under the same version, stops the build with both values.

# The sha512 of FILE as npm writes integrities (sha512-<base64>).
sri_of() {
  node -e 'const c = require("node:crypto"), fs = require("node:fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# registry_fetch DIR NAME VERSION PINNED: DIR/NAME-VERSION.tgz, checked; prints its path.
registry_fetch() {
  local dir=$1 name=$2 version=$3 pinned=$4 file meta got
  command -v npm >/dev/null 2>&1 || {
    echo "no npm on PATH to fetch $name@$version from the registry with (Debian: apt-get install npm)" >&2; return 1; }
  file=$dir/$name-$version.tgz
  if ! (cd "$dir" && npm pack --silent "$name@$version") >"$dir/npm-pack-$name.log" 2>&1; then
    echo "npm pack $name@$version failed:" >&2; tail -n 15 "$dir/npm-pack-$name.log" >&2; return 1
  fi
  meta=$(npm view "$name@$version" dist.integrity 2>/dev/null) || {
    echo "npm view $name@$version dist.integrity failed: the registry's metadata could not be read" >&2; return 1; }
  got=$(sri_of "$file")
  if [ "$got" != "$meta" ]; then
    echo "$name@$version: the tarball's sha512 is $got, the registry's metadata says $meta" >&2; return 1
  fi
  if [ "$got" != "$pinned" ]; then
    echo "$name@$version: the tarball's sha512 is $got (as the registry says), test/image/base.env pins $pinned;" \
         "if the version was changed on purpose, pin the new value (npm view $name@$version dist.integrity)" >&2
    return 1
  fi
  echo "$file"
}
