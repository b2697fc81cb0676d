#!/usr/bin/env bash
# Makes Debian's Podman able to run the services' images on a machine without Docker, as root (CI does this before
# the build; a laptop with Docker or a working Podman needs none of it). Installs podman and runc if missing, and
# writes a containers.conf drop-in for what Podman 4.3 cannot do here by default:
#  - crun refuses cgroups in hybrid mode ("cgroups in hybrid mode not supported"): use runc;
#  - the default ulimits (nofile 1048576) exceed the host's hard limits and setrlimit fails: cap them at the host's.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "prepare-podman: needs root (it installs packages and writes /etc/containers)" >&2
  exit 2
fi
missing=()
for tool in podman runc; do command -v "$tool" > /dev/null || missing+=("$tool"); done
if (( ${#missing[@]} )); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi

nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[[ $nofile == unlimited ]] && nofile=1048576
[[ $nproc == unlimited || $nproc -gt 8192 ]] && nproc=8192
mkdir -p /etc/containers/containers.conf.d
cat > /etc/containers/containers.conf.d/50-streamfold.conf <<CONF
# Written by streamfold's deploy/images/prepare-podman.sh
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
[engine]
runtime = "runc"
CONF
rm -f /etc/containers/containers.conf.d/50-streamfold-ci.conf
echo "prepare-podman: $(podman --version), runtime runc, ulimits nofile=${nofile} nproc=${nproc}"
