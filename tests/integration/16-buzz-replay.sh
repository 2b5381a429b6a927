# SPDX-License-Identifier: GPL-2.0-or-later
# The motor's own vibration does not read as posture: recordings with alerts are replayed with
# a motor in the config (replay plays the patterns on its own alerts and calibrations, never
# opening the line), once as recorded and once with `--simulate-buzz` shaking the samples while
# that motor runs (vibration.c: 150-250 Hz, 1.5 g, aliased and clipped). The events must be the
# same, and every angle of the trace within MAX_DEG of the quiet run's while the motor runs and
# for 3 s after. Measured: 0.06 deg on the demo session, 0.13 on the forward-head day. Without
# the pipeline's pause the same buzz tilts the angles by up to 2 deg and every alert ends its own
# slump 5 s later (a movement): the events would differ.
MAX_DEG=0.5

# replay_pair NAME REC CONFIG: NAME.{trace,jsonl} as recorded, NAME-buzz.* with --simulate-buzz.
replay_pair() {
	for run in "$1" "$1-buzz"; do
		status=0
		buzz=
		[ "$run" = "$1" ] || buzz=--simulate-buzz
		"$BUILD/postured" --replay "$2" --config "$3" --trace "$T/$run.trace" \
			--events "$T/$run.jsonl" $buzz >"$LOG" 2>&1 || status=$?
		[ "$status" -eq 0 ] || fail "postured --replay $2 $buzz exited with status $status"
	done
}

# event_list FILE: "EVENT@T" for every event, one line, T to 0.1 s.
event_list() {
	sed -n 's/.*"t":\([-0-9.]*\),.*"POSTURE_EVENT":"\([^"]*\)".*/\2 \1/p' "$1" |
		awk '{ printf "%s@%.1f ", $1, $2 }'
}

# compare NAME: same events, angles within MAX_DEG while the motor runs and 3 s after; prints
# the largest difference.
compare() {
	EVENTS="$T/$1-buzz.jsonl"
	quiet=$(event_list "$T/$1.jsonl")
	buzzed=$(event_list "$T/$1-buzz.jsonl")
	[ "$quiet" = "$buzzed" ] ||
		fail "$1: the simulated buzz changed the events: without it: $quiet; with it: $buzzed"
	case "$quiet" in
	*alert@*) ;;
	*) fail "$1: no alert, so nothing buzzed: $quiet" ;;
	esac
	cmp -s "$T/$1.trace" "$T/$1-buzz.trace" &&
		fail "$1: --simulate-buzz changed nothing in the trace"
	result=$(awk -F, -v quiet="$T/$1.trace" '
		NR == 1 {
			for (i = 1; i <= NF; i++) {
				if ($i ~ /_deg$/) angle[i] = $i
				if ($i == "motor") motor = i
			}
			getline line < quiet
			if (line != $0) { print "headers differ"; exit }
			next
		}
		{
			if ((getline line < quiet) <= 0) { print "the quiet trace is shorter"; exit }
			split(line, q, ",")
			if (q[motor] != $motor) { print "motor differs at t " $1; exit }
			if ($motor == 1) { rows++; last = $1 }
			if (last == "" || $1 - last > 3.0) next
			for (i in angle) {
				if ($i == "nan" || q[i] == "nan") continue
				d = $i - q[i]
				if (d < 0) d = -d
				if (d > worst) { worst = d; what = angle[i] " at t " $1 }
			}
		}
		END { if (rows) printf "%d %.3f %s\n", rows, worst, what }' "$T/$1-buzz.trace")
	set -- "$1" $result
	[ $# -ge 3 ] && [ "$2" -gt 0 ] 2>/dev/null ||
		fail "$1: the traces do not compare: ${result:-no row felt the motor}"
	awk -v d="$3" -v max="$MAX_DEG" 'BEGIN { exit !(d <= max) }' ||
		fail "$1: with the simulated buzz an angle moved $3 deg ($4 $5 $6 $7), more than $MAX_DEG"
	echo "$1: $2 rows felt the motor; largest angle difference $3 deg ($4 $5 $6 $7)"
}

sed 's/^backend = none$/backend = gpiod/' config/demo.ini >"$T/demo-motor.ini"
grep -q '^backend = gpiod$' "$T/demo-motor.ini" || fail "config/demo.ini has no [haptic] backend"
replay_pair demo tests/data/demo-session.csv.gz "$T/demo-motor.ini"
compare demo
# The events test 00 expects: the motor's pauses change nothing a wearer sees.
expected="started calibrated slump_started alert alert summary alert slump_ended summary"
expected="$expected slump_started alert alert slump_ended stopped"
EVENTS="$T/demo-buzz.jsonl"
[ "$(events)" = "$expected" ] || fail "demo: expected exactly these events: $expected"

# Two sensors, a forward head and a slump, with the shipped config (which names a motor).
replay_pair forward-head tests/data/wearer-forward-head.csv.gz config/postured.ini
compare forward-head
