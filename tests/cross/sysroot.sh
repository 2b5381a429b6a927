#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes (or reuses) a sysroot of Debian bookworm's packages for a foreign architecture: the -dev
# packages named and everything they depend on, unpacked with dpkg -x, never installed. The cross
# build compiles and links against it (gcc --sysroot, pkg-config with PKG_CONFIG_SYSROOT_DIR) and
# qemu-user runs the result in it (-L SYSROOT), so nothing of the target's is installed on the
# machine: no `dpkg --add-architecture`, whose multiarch libraries must match the installed native
# ones version for version (a native security update or a mirror missing one architecture's index
# breaks the install, and from then on every `apt-get update` of the machine).
# apt runs with its own sources list, index and cache under the cache directory
# (tests/lib/apt-private.sh): /etc/apt and /var/lib/apt are left alone.
#
# Usage: tests/cross/sysroot.sh ARCH PACKAGE...   (make check-cross). Prints the sysroot's path.
# The sysroot is kept in the cache and reused while ARCH, the package list and this script are
# the same; delete it to take newer package versions. Root is not required; without it the cache
# goes to ~/.cache. POSTURED_CI_CACHE overrides the cache's parent directory.
set -Eeuo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 ARCH PACKAGE..." >&2
	exit 2
fi
arch=$1
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
step="setup"
trap 'echo "cross sysroot ($arch): FAILED while: $step" >&2' ERR

if [ -n "${POSTURED_CI_CACHE:-}" ]; then
	cache=$POSTURED_CI_CACHE/cross
elif [ "$(id -u)" = 0 ]; then
	cache=/var/cache/postured-ci/cross
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/postured-ci/cross
fi
sysroot=$cache/sysroot-$arch
# shellcheck source=/dev/null
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
key="$arch $codename $* $(sha256sum "$0" | cut -d' ' -f1)"

mkdir -p "$cache"
exec 9>"$cache/lock-$arch"
flock 9
if [ -f "$sysroot/.key" ] && [ "$(cat "$sysroot/.key")" = "$key" ]; then
	echo "$sysroot"
	exit 0
fi

# shellcheck source=tests/lib/apt-private.sh
. "$repo/tests/lib/apt-private.sh"
apt_dir=$cache/apt-$arch
apt_private_init "$apt_dir" "$codename" "$codename-updates"
# The index and the resolution are ARCH's alone; no Essential set and no Recommends, so the
# download is what the packages need (about 50 packages, 25 MB).
apt_private_opts+=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
	-o "pkgCacheGen::Essential=none" -o "APT::Install-Recommends=false")
step="reading the $codename $arch package index from $apt_private_uri"
apt_private_update "$apt_dir"

step="downloading $* and their dependencies for $arch"
rm -f "$apt_dir"/cache/archives/*.deb
apt-get "${apt_private_opts[@]}" install --download-only -y "$@" >"$apt_dir/download.log" 2>&1 || {
	cat "$apt_dir/download.log" >&2
	false
}

step="unpacking into $sysroot"
tmp=$(mktemp -d "$cache/sysroot-$arch.XXXXXX")
for deb in "$apt_dir"/cache/archives/*.deb; do
	dpkg -x "$deb" "$tmp"
done
# Absolute links (libz.so -> /lib/ARCH/libz.so.1) point into the sysroot, relative to it.
find "$tmp" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
	ln -sfnr "$tmp$(readlink "$link")" "$link"
done
rm -f "$apt_dir"/cache/archives/*.deb
echo "$key" >"$tmp/.key"
rm -rf "$sysroot"
mv "$tmp" "$sysroot"
chmod 755 "$sysroot"
trap - ERR
echo "cross sysroot ($arch): $(find "$sysroot" -name '*.so*' | wc -l) libraries in $sysroot" >&2
echo "$sysroot"
