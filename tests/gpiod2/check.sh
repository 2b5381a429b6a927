#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Proves the libgpiod 2.x build (Raspberry Pi OS / Debian trixie) on a Debian 12 machine, whose
# own libgpiod-dev is 1.6, so a trixie user is not the first to find a break:
#   1. fetch libgpiod 2.x -dev and runtime .debs with apt-get download (bookworm-backports, else
#      trixie), cached outside the tree and reused, never installed;
#   2. compile daemon/gpio.c against their headers with gcc and clang, -Werror, the Makefile's
#      warning flags;
#   3. build tests/unit/test_gpio.c with fake_gpio.c in 2.x mode and run it (gcc, then clang with
#      ASan+UBSan): the motor, and the button's edges through button.c;
#   4. link gpio.o against the real libgpiod.so from the package, so every symbol gpio.c uses must
#      exist there, and run it once to see a missing chip reported through the real library.
# apt runs with its own sources list, index and cache under the cache directory: nothing in
# /etc/apt or /var/lib/apt changes, so the system's packages and other apt users are unaffected.
#
# Usage: tests/gpiod2/check.sh BUILD_DIR   (make check-gpiod2). Root is not required; without it
# the cache goes to ~/.cache. POSTURED_CI_CACHE overrides the cache's parent directory.
set -Eeuo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
out=$build/gpiod2
step="setup"
trap 'echo "check-gpiod2: FAILED while: $step" >&2' ERR

say() { echo "check-gpiod2: $*"; }

if [ -n "${POSTURED_CI_CACHE:-}" ]; then
	cache=$POSTURED_CI_CACHE/gpiod2
elif [ "$(id -u)" = 0 ]; then
	cache=/var/cache/postured-ci/gpiod2
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/postured-ci/gpiod2
fi

system_major=$(pkg-config --modversion libgpiod 2>/dev/null | cut -d. -f1 || true)
if [ "$system_major" = 2 ]; then
	say "the system's libgpiod is already 2.x: the main build covers it, nothing to do"
	exit 0
fi

# shellcheck source=tests/lib/apt-private.sh
. "$repo/tests/lib/apt-private.sh"

# Downloads libgpiod-dev 2.x and the runtime package it depends on into $cache/debs.
fetch_debs() {
	local codename apt_dir suite version tmp runtime
	# shellcheck source=/dev/null
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	apt_dir=$cache/apt

	for suite in "$codename-backports" trixie; do
		apt_private_init "$apt_dir" "$suite"
		step="reading the $suite package index from $apt_private_uri"
		apt_private_update "$apt_dir"
		version=$(apt-cache "${apt_private_opts[@]}" madison libgpiod-dev |
			awk -F'|' '{ gsub(/ /, "", $2) } $2 ~ /^2\./ { print $2 }' |
			sort -V | tail -n 1)
		[ -n "$version" ] && break
		say "no libgpiod-dev 2.x in $suite"
	done
	if [ -z "$version" ]; then
		echo "check-gpiod2: no libgpiod-dev 2.x found in $codename-backports or trixie" >&2
		return 1
	fi
	# The runtime package's name carries the soname (libgpiod3 for 2.0-2.2): ask the -dev.
	runtime=$(apt-cache "${apt_private_opts[@]}" show "libgpiod-dev=$version" |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed -n 's/^ *\(libgpiod[0-9][0-9]*\) .*/\1/p' | head -n 1)
	if [ -z "$runtime" ]; then
		echo "check-gpiod2: libgpiod-dev $version names no libgpiodN runtime package" >&2
		return 1
	fi
	step="downloading libgpiod-dev and $runtime $version from $suite"
	tmp=$(mktemp -d "$cache/download.XXXXXX")
	# apt fetches as the _apt user when run as root; let it write here.
	if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$tmp"
	fi
	(cd "$tmp" && apt-get "${apt_private_opts[@]}" download "libgpiod-dev=$version" \
		"$runtime=$version" >"$apt_dir/download.log" 2>&1) || {
		cat "$apt_dir/download.log" >&2
		rm -rf "$tmp"
		return 1
	}
	rm -rf "$cache/debs"
	mv "$tmp" "$cache/debs"
	chmod 755 "$cache/debs"
	echo "$suite" >"$cache/debs/SUITE"
}

mkdir -p "$cache"
# Two checks at once (make -j, two users) must not download into each other's directory.
exec 9>"$cache/lock"
flock 9
shopt -s nullglob
debs=("$cache"/debs/*.deb)
if [ ${#debs[@]} -lt 2 ] || [ ! -f "$cache/debs/SUITE" ]; then
	say "fetching libgpiod 2.x packages into $cache"
	fetch_debs
	debs=("$cache"/debs/*.deb)
fi
suite=$(cat "$cache/debs/SUITE")

step="extracting ${debs[*]##*/}"
rm -rf "$out"
mkdir -p "$out/root" "$out/obj"
for deb in "${debs[@]}"; do
	dpkg -x "$deb" "$out/root"
done
flock -u 9
incdir=$out/root/usr/include
so=$(find "$out/root/usr/lib" -name libgpiod.so -print -quit)
if [ ! -f "$incdir/gpiod.h" ] || [ -z "$so" ]; then
	echo "check-gpiod2: the packages in $cache/debs hold no gpiod.h or libgpiod.so:" \
		"delete that directory to fetch them again" >&2
	exit 1
fi
libdir=$(dirname "$so")
version=$(sed -n 's/^Version: *//p' "$libdir/pkgconfig/libgpiod.pc")
major=${version%%.*}
if [ "$major" != 2 ]; then
	echo "check-gpiod2: the cached libgpiod is $version, not 2.x: delete $cache/debs" >&2
	exit 1
fi

# The warning flags come from the Makefile, so this check cannot drift from the real build.
step="reading the warning flags from the Makefile"
# shellcheck disable=SC2016 # $(WARNINGS) is for make to expand
warnings=$(cd "$repo" && printf 'postured-print-warnings:\n\t@echo $(WARNINGS)\n' |
	env -u MAKEFLAGS -u MFLAGS make -s --no-print-directory -f Makefile -f - WERROR=1 \
		postured-print-warnings)
case " $warnings " in
*" -Werror "*) ;;
*)
	echo "check-gpiod2: could not read WARNINGS from the Makefile (got '$warnings')" >&2
	exit 1
	;;
esac
# -isystem: searched before /usr/include, where the system's 1.6 gpiod.h lives, and treated as
# the system header it is on trixie. The flag lists are split into words on purpose.
# shellcheck disable=SC2206
cflags=(-std=c11 -D_GNU_SOURCE $warnings -O2 -g -I"$repo/include" -isystem "$incdir"
	-DPOSTURED_GPIOD_MAJOR=2)
# shellcheck disable=SC2207
cmocka_cflags=($(pkg-config --cflags cmocka))
# shellcheck disable=SC2207
cmocka_libs=($(pkg-config --libs cmocka))
san=(-O1 "-fsanitize=address,undefined" -fno-omit-frame-pointer -fno-sanitize-recover=all)

for cc in gcc clang; do
	step="compiling daemon/gpio.c with $cc against libgpiod $version"
	"$cc" "${cflags[@]}" -c -o "$out/obj/gpio-$cc.o" "$repo/daemon/gpio.c"
done
say "daemon/gpio.c compiles against libgpiod $version with gcc and clang -Werror"

step="building test_gpio with gcc against the 2.x fake"
gcc "${cflags[@]}" "${cmocka_cflags[@]}" -o "$out/test_gpio" "$repo/tests/unit/test_gpio.c" \
	"$repo/tests/unit/fake_gpio.c" "$repo/daemon/gpio.c" "$repo/daemon/button.c" -lm \
	"${cmocka_libs[@]}"
step="running test_gpio (gcc, libgpiod 2.x fake)"
"$out/test_gpio" >"$out/test_gpio.log" 2>&1 || {
	cat "$out/test_gpio.log" >&2
	false
}
step="building test_gpio with clang, ASan and UBSan, against the 2.x fake"
clang "${cflags[@]}" "${san[@]}" "${cmocka_cflags[@]}" -o "$out/test_gpio-san" \
	"$repo/tests/unit/test_gpio.c" "$repo/tests/unit/fake_gpio.c" "$repo/daemon/gpio.c" \
	"$repo/daemon/button.c" -lm "${cmocka_libs[@]}"
step="running test_gpio (clang ASan+UBSan, libgpiod 2.x fake)"
"$out/test_gpio-san" >"$out/test_gpio-san.log" 2>&1 || {
	cat "$out/test_gpio-san.log" >&2
	false
}
say "test_gpio (motor and button) passes against the libgpiod 2.x fake (gcc; clang with ASan+UBSan)"

step="linking gpio.o against the real $(basename "$(readlink -f "$so")")"
cat >"$out/probe.c" <<'EOF'
/*
 * Opens a chip that cannot exist, through the real libgpiod 2.x, for the motor and the button,
 * and prints the messages.
 */
#include <stdio.h>

#include "postured/gpio.h"

int main(void)
{
	struct gpio_motor *m;
	struct gpio_button *b;
	char err[256];

	if (gpio_motor_open("postured-check-no-such-chip", 0, false, "postured", &m, err,
			    sizeof(err)) == 0) {
		gpio_motor_close(m);
		return 1;
	}
	puts(err);
	if (gpio_button_open("postured-check-no-such-chip", 0, true, GPIO_BIAS_PULL_UP,
			     "postured", &b, err, sizeof(err)) == 0) {
		gpio_button_close(b);
		return 1;
	}
	puts(err);
	return 0;
}
EOF
gcc "${cflags[@]}" -o "$out/probe" "$out/probe.c" \
	"$out/obj/gpio-gcc.o" -L"$libdir" -Wl,-rpath,"$libdir" -Wl,--allow-shlib-undefined -lgpiod
# -L is searched before /usr/lib, but a stray system 1.6 libgpiod.so must not slip in unnoticed.
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
readelf -d "$out/probe" | grep -F "(NEEDED)" | grep -qF "[$soname]" || {
	echo "check-gpiod2: $out/probe is not linked against $soname from the package" >&2
	false
}
linked="links against the real libgpiod.so from $suite"
step="running gpio.o on the real libgpiod $version"
expected="gpio chip 'postured-check-no-such-chip' not found: list chips with gpiodetect"
expected+=" and set [haptic] chip"
expected+=$'\n'"gpio chip 'postured-check-no-such-chip' not found: list chips with gpiodetect"
expected+=" and set [button] chip"
if got=$(LD_BIND_NOW=1 "$out/probe" 2>"$out/probe.err"); then
	if [ "$got" != "$expected" ]; then
		echo "check-gpiod2: through the real library, a missing chip gave: $got" >&2
		false
	fi
	linked+=" and reports a missing chip through it"
elif grep -q "version \`GLIBC_" "$out/probe.err"; then
	# A newer suite's library may need a newer glibc than this machine's: the link is the proof.
	linked+=" (not run: $(head -n 1 "$out/probe.err"))"
else
	cat "$out/probe.err" >&2
	false
fi
say "gpio.o $linked"
trap - ERR
say "PASSED: postured builds and its motor and button tests pass against libgpiod $version ($suite)"
