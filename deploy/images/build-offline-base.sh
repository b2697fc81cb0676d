#!/usr/bin/env bash
# Builds the services' base image without a container registry: a Debian 13 root filesystem with
# OpenJDK 21 (headless JRE) from Debian's packages (debootstrap), a non-root user 10001, packed as a
# one-layer OCI image (umoci) and saved as a docker-archive tarball (skopeo) that Jib takes as
# `tar://<file>`. Needs root and Debian's package mirror; installs debootstrap, umoci and skopeo if missing.
#
#   deploy/images/build-offline-base.sh [OUTPUT.tar]      (default: ~/.cache/streamfold/base-image.tar)
set -euo pipefail

out="${1:-${HOME}/.cache/streamfold/base-image.tar}"
suite="${STREAMFOLD_BASE_SUITE:-trixie}"
mirror="${STREAMFOLD_BASE_MIRROR:-http://deb.debian.org/debian}"
tag="streamfold/base:${suite}-jre21"

if [[ $(id -u) -ne 0 ]]; then
  echo "build-offline-base: debootstrap needs root; run it as root or pass -Dimage.base=<registry image>" >&2
  exit 2
fi
missing=()
for tool in debootstrap umoci skopeo; do command -v "$tool" > /dev/null || missing+=("$tool"); done
if (( ${#missing[@]} )); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
debootstrap --variant=minbase --include=openjdk-21-jre-headless,ca-certificates \
  "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

# What a runtime image does not need: package caches and lists, documentation, locales.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* \
  "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
# The services run as uid 10001 (the Helm chart's runAsUser), with a writable home under /tmp only.
echo 'streamfold:x:10001:10001:Streamfold:/tmp:/usr/sbin/nologin' >> "$rootfs/etc/passwd"
echo 'streamfold:x:10001:' >> "$rootfs/etc/group"

layout="$work/oci"
umoci init --layout "$layout"
umoci new --image "$layout:base"
umoci insert --image "$layout:base" --history.created_by "debootstrap $suite + openjdk-21-jre-headless" "$rootfs" /
java_home=$(cd "$rootfs/usr/lib/jvm" && ls -d java-21-openjdk-* | head -1)
umoci config --image "$layout:base" \
  --config.user 10001:10001 \
  --config.env "JAVA_HOME=/usr/lib/jvm/$java_home" \
  --config.env "PATH=/usr/lib/jvm/$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --config.workingdir /tmp

mkdir -p "$(dirname "$out")"
rm -f "$out"
skopeo copy --quiet "oci:$layout:base" "docker-archive:$out:$tag"
echo "build-offline-base: $out ($tag, $(du -h "$out" | cut -f1))"
