#!/usr/bin/env bash
# Builds the sandbox's real binaries from the pinned wrapper modules in test/sandbox/gomod/
# and caches them outside the clone, one folder per component whose name carries the
# version and a hash of the pinned go.mod/go.sum and the Go version: a second run finds
# them and builds nothing; a changed version or pin builds into a new folder.
#
#   build.sh            build what is missing, print progress, then the bin folder
#   build.sh karmada    build only the named components (etcd kwok helm k8s coredns karmada)
#   build.sh --bin-dir  only print the bin folder (exit 3 if something is not built)
#   build.sh --bin-dir etcd kwok helm k8s   the same, needing only the named components
#   build.sh --help
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${MCS_BRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcs-bridge}

usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; echo "Cache: $cache (override with MCS_BRIDGE_CACHE)"; }
mode=build chosen=()
for a in "$@"; do
  case "$a" in
    --bin-dir) mode=print ;;
    -h|--help) usage; exit 0 ;;
    etcd|kwok|helm|k8s|coredns|karmada) chosen+=("$a") ;;
    *) echo "build.sh: unknown argument '$a' (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'sandbox build: %s\n' "$*" >&2; }
command -v go >/dev/null 2>&1 || {
  say "Go is needed to build the Kubernetes binaries (Go >= 1.25, https://go.dev/dl), but 'go' is not on PATH"; exit 1; }
gover=$(go env GOVERSION)

# component → version, binaries
declare -A version=([k8s]=$K8S_VERSION [etcd]=$ETCD_VERSION [kwok]=$KWOK_VERSION [helm]=$HELM_VERSION
                    [coredns]=$COREDNS_VERSION [karmada]=$KARMADA_VERSION)
declare -A binaries=(
  [k8s]="kube-apiserver kube-controller-manager kube-scheduler kubectl kube-proxy"
  [etcd]="etcd" [kwok]="kwok" [helm]="helm" [coredns]="coredns"
  [karmada]="karmada-controller-manager karmada-scheduler karmada-webhook karmada-aggregated-apiserver karmada-agent")
order=(etcd kwok helm k8s coredns karmada)

component_dir() { # the cache folder for one component
  local c=$1 sum
  # coredns's main.go is ours, so it is part of what the folder's name must change with.
  sum=$(cat "$here/gomod/$c/go.mod" "$here/gomod/$c/go.sum" <(echo "$gover") <(ldflags_for "$c") \
        <(cat "$here/gomod/$c"/*.go 2>/dev/null) | sha256sum | cut -c1-12)
  echo "$cache/$c-${version[$c]}-$sum"
}

# The pins must match versions.env; otherwise the build would silently use old sources.
for c in "${order[@]}"; do
  pinned_module=$(case $c in k8s) echo k8s.io/kubernetes;; etcd) echo go.etcd.io/etcd/server/v3;;
                             kwok) echo sigs.k8s.io/kwok;; helm) echo helm.sh/helm/v3;;
                             coredns) echo github.com/coredns/coredns;;
                             karmada) echo github.com/karmada-io/karmada;; esac)
  grep -qE "^[[:space:]]*(require[[:space:]]+)?$pinned_module ${version[$c]}( |$)" "$here/gomod/$c/go.mod" || {
    say "test/sandbox/gomod/$c/go.mod does not pin $pinned_module ${version[$c]} from versions.env; run 'make sandbox-pin' and commit the result"
    exit 1; }
done

ldflags_for() {
  case $1 in
    k8s)
      local minor=${K8S_VERSION#v1.}; minor=${minor%%.*} f=""
      for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        # Without the stamp /version says v0.0.0-master and Helm's kubeVersion checks fail.
        f+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
        f+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
      done
      echo "-s -w$f" ;;
    helm)
      # Helm's default Kubernetes version (for `helm template` and `helm lint` without a
      # cluster) is 1.20 unless stamped; charts asking for a newer one would not render.
      local minor=${K8S_VERSION#v1.}; minor=${minor%%.*} f="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
      for p in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
        f+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$minor"
      done
      echo "-s -w $f" ;;
    kwok) echo "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" ;;
    # Without the stamp every Karmada program says v0.0.0-master.
    karmada) echo "-s -w -X github.com/karmada-io/karmada/pkg/version.gitVersion=$KARMADA_VERSION" ;;
    *) echo "-s -w" ;;
  esac
}

has_binaries() { # component, folder: every binary of the component is in the folder
  local b; for b in ${binaries[$1]}; do [ -x "$2/bin/$b" ] || return 1; done
}

build_component() {
  local c=$1 dir tmp
  dir=$(component_dir "$c")
  # A folder counts as built when it is complete and holds every binary the component lists now
  # (a program added to the list, such as karmada-agent, is built into the same folder).
  if [ -f "$dir/.complete" ] && has_binaries "$c" "$dir"; then say "$c ${version[$c]}: cached in $dir"; return; fi
  say "$c ${version[$c]}: building ${binaries[$c]} into $dir (a cold Kubernetes or Karmada build takes 10-20 min on 2 cores)"
  tmp="$dir.tmp.$$"; rm -rf "$tmp"; mkdir -p "$tmp/bin"
  trap 'rm -rf "$tmp"' EXIT
  local start=$SECONDS pkgs=() b
  for b in ${binaries[$c]}; do
    case $c in
      k8s) pkgs+=("k8s.io/kubernetes/cmd/$b") ;; etcd) pkgs+=("go.etcd.io/etcd/server/v3") ;;
      kwok) pkgs+=("sigs.k8s.io/kwok/cmd/kwok") ;; helm) pkgs+=("helm.sh/helm/v3/cmd/helm") ;;
      coredns) pkgs+=(".") ;; # gomod/coredns/main.go: coremain with the plugins the data plane uses
      karmada) pkgs+=("github.com/karmada-io/karmada/cmd/${b#karmada-}") ;;
    esac
  done
  local log="$tmp/build.log"
  if ! (cd "$here/gomod/$c" && env -u GOFLAGS GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly \
        go build -trimpath -ldflags "$(ldflags_for "$c")" -o "$tmp/bin/" "${pkgs[@]}") >"$log" 2>&1; then
    if grep -qiE 'dial tcp|no such host|proxy\.golang\.org|connection refused|i/o timeout' "$log"; then
      say "$c: cannot download modules: the Go module proxy ($(go env GOPROXY)) is not reachable. Last lines:"
    else
      say "$c: go build failed. Last lines:"
    fi
    tail -n 20 "$log" >&2; exit 1
  fi
  # etcd's main package is the module root go.etcd.io/etcd/server/v3, so Go names the
  # binary "server" (the major-version suffix is dropped).
  if [ "$c" = etcd ] && [ -f "$tmp/bin/server" ]; then mv "$tmp/bin/server" "$tmp/bin/etcd"; fi
  if [ "$c" = karmada ]; then
    # Go names each binary after its package (controller-manager, scheduler, ...); the sandbox
    # and the logs use Karmada's own names.
    for b in ${binaries[$c]}; do mv "$tmp/bin/${b#karmada-}" "$tmp/bin/$b"; done
    # The CRDs and the webhook configuration the control plane needs ship inside the module,
    # as kwok's stages do: copy them beside the binaries (without the kustomization's
    # conversion-webhook patches, which need a served conversion endpoint).
    local src; src=$(cd "$here/gomod/karmada" && go list -m -f '{{.Dir}}' github.com/karmada-io/karmada)
    mkdir -p "$tmp/karmada/crds"
    cp "$src"/charts/karmada/_crds/bases/*/*.yaml "$tmp/karmada/crds/"
    cp "$src/artifacts/deploy/webhook-configuration.yaml" "$src/artifacts/deploy/karmada-aggregated-apiserver-apiservice.yaml" "$tmp/karmada/"
    chmod -R u+w "$tmp/karmada"
  fi
  if [ "$c" = kwok ]; then
    # kwok needs stage configs to move nodes and pods through their lifecycle; they ship
    # inside its module, so copy them beside the binary.
    local src; src=$(cd "$here/gomod/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
    mkdir -p "$tmp/stages"; cp -r "$src/kustomize/stage/." "$tmp/stages/"; chmod -R u+w "$tmp/stages"
  fi
  for b in ${binaries[$c]}; do [ -x "$tmp/bin/$b" ] || { say "$c: expected binary $b was not produced"; exit 1; }; done
  touch "$tmp/.complete"; rm -rf "$dir"; mv "$tmp" "$dir"; trap - EXIT
  say "$c ${version[$c]}: built in $((SECONDS - start))s"
}

# One bin folder per set of versions, holding links to the binaries of every component built so
# far: that is the one path the sandbox needs. A plain sandbox needs no Karmada, so `make demo`
# builds and links only what it runs; a component built later is linked in then.
set_dir() {
  local s=""; for c in "${order[@]}"; do s+="$(component_dir "$c") "; done
  echo "$cache/bin-$(echo "$s" | sha256sum | cut -c1-12)"
}
link_set() {
  local set c b; set=$(set_dir); mkdir -p "$set"
  for c in "${order[@]}"; do
    built "$c" || continue
    for b in ${binaries[$c]}; do ln -sfn "$(component_dir "$c")/bin/$b" "$set/$b"; done
  done
  if built kwok; then ln -sfn "$(component_dir kwok)/stages" "$set/kwok-stages"; fi
  if built karmada; then ln -sfn "$(component_dir karmada)/karmada" "$set/karmada-files"; fi
}
built() { [ -f "$(component_dir "$1")/.complete" ] && has_binaries "$1" "$(component_dir "$1")"; }

if [ $mode = print ]; then
  needed=("${chosen[@]}"); [ ${#needed[@]} -gt 0 ] || needed=("${order[@]}")
  for c in "${needed[@]}"; do
    built "$c" || { say "$c ${version[$c]} is not built yet: run 'make sandbox-build'"; exit 3; }
  done
  link_set; set_dir; exit 0
fi
if [ ${#chosen[@]} -gt 0 ]; then
  for c in "${chosen[@]}"; do build_component "$c"; done
  link_set
  say "built ${chosen[*]}"; exit 0
fi
for c in "${order[@]}"; do build_component "$c"; done
link_set
say "all binaries ready in $(set_dir)"
set_dir
