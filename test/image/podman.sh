#!/usr/bin/env bash
# podman with the choices this project makes for the machines it builds and tests on, used by
# make image and the image's end-to-end suite (so both run containers the same way):
# - the OCI runtime is runc: it runs on cgroup v1, hybrid and v2 hosts alike, where Debian
#   bookworm's crun 1.8 refuses a hybrid host ("cgroups in hybrid mode not supported");
#   MCS_BRIDGE_OCI_RUNTIME picks another.
# - a process without CAP_SYS_RESOURCE (e.g. a VM or container that drops it) cannot give a
#   container podman's rootful default limits (1048576 open files and processes): then
#   `run`, `create` and `build` get the caller's own hard limits, the processes capped at
#   kernel.pid_max as podman caps its own.
#
#   podman.sh ARGS…   podman ARGS…, with those choices
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;; esac
runtime=${MCS_BRIDGE_OCI_RUNTIME:-runc}
flags=()
case "${1:-}" in
  run|create|build)
    capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
    if (( (16#$capeff >> 24 & 1) == 0 )); then # bit 24: CAP_SYS_RESOURCE
      files=$(ulimit -Hn) procs=$(ulimit -Hu) pid_max=$(cat /proc/sys/kernel/pid_max)
      [ "$procs" = unlimited ] || (( procs > pid_max )) && procs=$pid_max
      flags=(--ulimit "nofile=$files:$files" --ulimit "nproc=$procs:$procs")
    fi
    exec podman --runtime "$runtime" "$1" "${flags[@]}" "${@:2}" ;;
esac
exec podman --runtime "$runtime" "$@"
