#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo session replayed by a cross-built postured under qemu-user, against the native
# replay: the same events in the same order with the same fields; each number equal as printed,
# or (reported) within one unit of its last printed digit, which floating point on another
# architecture may move. The per-sample trace is compared too and its largest difference told.
#
# Usage: tests/cross/replay.sh "EMULATOR [ARG...]" CROSS_BUILD NATIVE_BUILD NAME
#   (make check-cross). Prints "replay-NAME: N passed, M failed".
set -uo pipefail

if [ $# -ne 4 ]; then
	echo "usage: $0 'EMULATOR [ARG...]' CROSS_BUILD NATIVE_BUILD NAME" >&2
	exit 2
fi
read -r -a emulator <<<"$1"
cross=$2
native=$3
name=$4
cd "$(dirname "$0")/../.." || exit 1
out=$cross/replay
rm -rf "$out"
mkdir -p "$out"
replay=(--replay tests/data/demo-session.csv.gz --config config/demo.ini)
# The emulator's name for the messages (after a "timeout N" before it).
qemu=$(printf '%s\n' "${emulator[@]}" | grep -m1 qemu || echo "${emulator[0]}")

failed=0
fail() {
	echo "replay-$name: FAILED: $*"
	failed=1
}

if ! "$native/postured" "${replay[@]}" --events "$out/native.jsonl" \
	--trace "$out/native.trace.csv" >"$out/native.log" 2>&1; then
	fail "the native replay ($native/postured) failed: see $out/native.log"
fi
start=$(date +%s%N)
if ! "${emulator[@]}" "$cross/postured" "${replay[@]}" --events "$out/cross.jsonl" \
	--trace "$out/cross.trace.csv" >"$out/cross.log" 2>&1; then
	tail -n 5 "$out/cross.log"
	fail "the $name replay under $qemu failed: see $out/cross.log"
fi
ms=$((($(date +%s%N) - start) / 1000000))

# Numbers as printed: each line split into numbers and the text between them. The text must be
# equal; numbers printed alike pass, else they may differ by one unit of the last printed digit.
compare() {
	awk -v what="$3" '
		function split_nums(s, nums, texts,   n) {
			n = 0
			while (match(s, /-?[0-9]+(\.[0-9]+)?/)) {
				texts[++n] = substr(s, 1, RSTART - 1)
				nums[n] = substr(s, RSTART, RLENGTH)
				s = substr(s, RSTART + RLENGTH)
			}
			texts[n + 1] = s
			return n
		}
		function unit(x,   d) {
			d = index(x, ".")
			return d ? 10 ^ -(length(x) - d) : 1
		}
		NR == FNR { a[FNR] = $0; na = FNR; next }
		{
			nb = FNR
			if (FNR > na) next
			if ($0 == a[FNR]) { same++; next }
			delete an; delete at; delete bn; delete bt
			n1 = split_nums(a[FNR], an, at)
			n2 = split_nums($0, bn, bt)
			ok = n1 == n2
			for (i = 1; ok && i <= n1 + 1; i++)
				if (at[i] != bt[i]) ok = 0
			for (i = 1; ok && i <= n1; i++) {
				u = unit(an[i]) > unit(bn[i]) ? unit(an[i]) : unit(bn[i])
				d = an[i] - bn[i]
				if (d < 0) d = -d
				if (d > u * 1.000001) ok = 0
				else if (an[i] != bn[i]) { near++
					if (shown++ < 5)
						printf "  %s line %d: %s (native) vs %s\n", what, FNR, an[i], bn[i] }
			}
			if (!ok) { bad++
				if (badshown++ < 5)
					printf "  %s line %d differs:\n    native: %s\n    cross:  %s\n", what, FNR, a[FNR], $0 }
		}
		END {
			if (na != nb) { printf "  %s: %d lines native, %d cross\n", what, na, nb; bad++ }
			printf "%s %d %d %d\n", "RESULT", same + 0, near + 0, bad + 0
		}' "$1" "$2"
}

events() { sed -n 's/.*"POSTURE_EVENT":"\([^"]*\)".*/\1/p' "$1" | tr '\n' ' '; }

if [ "$failed" = 0 ]; then
	n=$(wc -l <"$out/native.jsonl")
	if [ "$(events "$out/native.jsonl")" != "$(events "$out/cross.jsonl")" ]; then
		fail "the events differ: native: $(events "$out/native.jsonl");" \
			"$name: $(events "$out/cross.jsonl")"
	fi
	result=$(compare "$out/native.jsonl" "$out/cross.jsonl" events)
	read -r _ same near bad < <(printf '%s\n' "$result" | grep '^RESULT')
	printf '%s\n' "$result" | grep -v '^RESULT'
	if [ "$bad" != 0 ]; then
		fail "$bad of $n events differ beyond the last printed digit"
	elif [ "$near" = 0 ]; then
		echo "replay-$name: $n events identical to the native replay's (${ms} ms under" \
			"$qemu)"
	else
		echo "replay-$name: $n events, $same identical, $near numbers one unit of the last" \
			"printed digit apart (${ms} ms under $qemu)"
	fi
	# The trace: every sample's up vector and angles, printed to 1e-6.
	if cmp -s "$out/native.trace.csv" "$out/cross.trace.csv"; then
		echo "replay-$name: trace of $(($(wc -l <"$out/native.trace.csv") - 1)) samples" \
			"identical to the native one"
	else
		paste -d, "$out/native.trace.csv" "$out/cross.trace.csv" | awk -F, -v name="$name" '
			NR == 1 { cols = NF / 2; next }
			{ for (i = 2; i <= cols; i++) if ($i ~ /^-?[0-9]/ && $(i + cols) ~ /^-?[0-9]/) {
				d = $i - $(i + cols); if (d < 0) d = -d; if (d > max) max = d }
			  for (i = 1; i <= cols; i++) if ($i !~ /^-?[0-9.]+$/ && $i != $(i + cols)) text++ }
			END { printf "replay-%s: trace differs from the native one: largest difference" \
				" %g, %d labels differ\n", name, max, text }'
	fi
fi
echo "replay-$name: $((1 - failed)) passed, $failed failed"
exit "$failed"
