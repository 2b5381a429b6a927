#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each cmocka test binary given as an argument; prints a total "N passed, M failed" line.
# EMULATOR, if set, is a command (split into words) that runs each binary, e.g. qemu-user for a
# cross build: "qemu-aarch64-static -L /usr/aarch64-linux-gnu" (make check-cross).
set -u
read -r -a emulator <<<"${EMULATOR:-}"
passed=0 failed=0
for t in "$@"; do
	out=$("${emulator[@]}" "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		echo "$t: exited with status $rc" >&2
		failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
