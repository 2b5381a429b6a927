#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-integration: postured on emulated IIO sensors (umockdev), moved by simwearer.
# Usage: tests/integration/run.sh BUILD_DIR [TEST...]
#   TEST: e.g. 01-mpu6050-slump or test_notify; default all.
# A test is either tests/integration/NN-name.sh, run by sh with lib.sh sourced first, in its own
# directory (kept, and named, when the test fails), or a cmocka program test_X.c, which make
# builds as BUILD_DIR/tests/test_X and which is run as "BUILD_DIR/tests/test_X BUILD_DIR".
# POSTURED_TEST_SPEED (default 2) sets how much faster than real time the simulated wearer and the
# daemon of the shell tests run.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [TEST...]" >&2
	exit 2
fi
build=$(cd "$1" && pwd) || exit 2
shift
cd "$(dirname "$0")/../.." || exit 2
for f in "$build/postured" "$build/simwearer"; do
	if [ ! -x "$f" ]; then
		echo "$0: $f is missing: run 'make check-integration', which builds it" >&2
		exit 2
	fi
done
if ! command -v umockdev-wrapper >/dev/null; then
	echo "$0: umockdev-wrapper is missing: install the umockdev package (make deps)" >&2
	exit 2
fi

if [ $# -eq 0 ]; then
	set -- tests/integration/[0-9][0-9]-*.sh tests/integration/test_*.c
else
	for name; do
		shift
		case "$name" in
		test_*) set -- "$@" "tests/integration/${name%.c}.c" ;;
		*) set -- "$@" "tests/integration/${name%.sh}.sh" ;;
		esac
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/postured-integration.XXXXXX")
passed=0
failed=0
# run_test TEST DIR: runs one test with its output in DIR/test.out.
run_test() {
	case "$1" in
	*.c)
		program="$build/tests/$(basename "$1" .c)"
		if [ ! -x "$program" ]; then
			echo "$program is missing: run 'make check-integration', which builds it"
			return 1
		fi
		"$program" "$build"
		;;
	*)
		BUILD="$build" T="$2" SPEED="${POSTURED_TEST_SPEED:-2}" \
			sh -c '. tests/integration/lib.sh && . "$1"' sh "$1"
		;;
	esac
}

for test in "$@"; do
	name=$(basename "${test%.*}")
	dir="$tmp/$name"
	mkdir "$dir"
	start=$(date +%s)
	if run_test "$test" "$dir" >"$dir/test.out" 2>&1; then
		passed=$((passed + 1))
		echo "PASS $name ($(($(date +%s) - start)) s)"
		rm -rf "$dir"
	else
		failed=$((failed + 1))
		echo "FAIL $name ($(($(date +%s) - start)) s; files kept in $dir)"
		sed 's/^/    /' "$dir/test.out"
	fi
done
rmdir "$tmp" 2>/dev/null
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
