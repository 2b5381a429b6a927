#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each libFuzzer harness for SECONDS from a fresh copy of its seed corpus (the checked-in
# tests/fuzz/corpus/ never grows) and prints "fuzz_X: N runs, no crash" or the reproducer.
# Usage: tests/fuzz/run.sh BUILD SECONDS fuzz_config fuzz_recording ...
set -uo pipefail
build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=$build/fuzz/work
crashes=$build/fuzz/crashes
passed=0 failed=0

# The harnesses write each input to a file: in memory (/dev/shm) they run 2.5 times as fast as
# on disk. After a crash a harness leaves its files behind: this directory is removed anyway.
tmp=$(mktemp -d /dev/shm/postured-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$crashes"
for name in "$@"; do
	rm -rf "$work" && mkdir -p "$work/corpus"
	cp "$here/corpus/$name"/* "$work/corpus/"
	log=$build/fuzz/$name.log
	# detect_leaks: a parser must free what it allocates, whatever the input.
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 TMPDIR=$tmp \
		"$build/fuzz/$name" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$crashes/$name-" "$work/corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	secs=${secs:-$seconds}
	[ "$secs" -gt 0 ] || secs=1
	if [ "$rc" = 0 ] && [ -n "$runs" ]; then
		echo "$name: $runs runs in $secs s ($((runs / secs))/s)," \
			"$(sed -n 's/^stat::new_units_added: *//p' "$log") new inputs, no crash"
		passed=$((passed + 1))
	else
		echo "$name: FAILED (exit $rc), log $log"
		grep -m1 -A40 '^==[0-9]*==ERROR\|runtime error\|^==[0-9]*== ERROR' "$log" | sed 's/^/  /'
		repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		echo "$name: reproducer ${repro:-none written}; rerun: $build/fuzz/$name ${repro:-}"
		failed=$((failed + 1))
	fi
	rm -rf "$work" "${tmp:?}"/*
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
