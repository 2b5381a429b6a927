# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the umockdev integration tests, sourced by run.sh into each test's shell.
#
# A test writes $T/postured.ini and a simwearer script, calls start_sim, then waits for the
# events it expects in $T/events.jsonl: every wait polls with a timeout (wall seconds), so a slow
# machine only makes a test slower, and a failure says which event was expected and lists the
# events that did come. Set by run.sh: BUILD (the build directory), T (this test's own empty
# directory), SPEED (how much faster than real time the wearer and the daemon run).

EVENTS="$T/events.jsonl"
LOG="$T/output.log"
SIM_PID=
SIM_STATUS=

# Prints the reason and ends the test as failed.
fail() {
	echo "FAILED: $*"
	if [ -s "$EVENTS" ]; then
		echo "events so far: $(events)"
	else
		echo "events so far: none ($EVENTS is empty or missing)"
	fi
	if [ -s "$LOG" ]; then
		echo "--- last lines of simwearer and postured output ($LOG):"
		grep -v 'postured: config: ' "$LOG" | tail -n 25
	fi
	exit 1
}

# The POSTURE_EVENT values of the events so far, in order, on one line.
events() {
	sed -n 's/.*"POSTURE_EVENT":"\([^"]*\)".*/\1/p' "$EVENTS" 2>/dev/null | tr '\n' ' ' |
		sed 's/ $//'
}

# event_field EVENT FIELD [N]: FIELD of the Nth (default first) EVENT event, e.g.
# event_field slump_started POSTURE_CAUSE.
event_field() {
	grep "\"POSTURE_EVENT\":\"$1\"" "$EVENTS" 2>/dev/null | sed -n "${3:-1}p" |
		sed -n "s/.*\"$2\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"
}

# count_events EVENT: how many EVENT events came so far.
count_events() {
	grep -c "\"POSTURE_EVENT\":\"$1\"" "$EVENTS" 2>/dev/null || true
}

# quick_config [DETECTOR_LINE...]: writes $T/postured.ini from the sensor sections on stdin plus
# what the slump tests share: calibration after 1 s still, holds of 3 s at threshold falling to
# 1 s at max (trunk and neck), a re-alert every 5 s, no motor. Extra [detector] lines may follow.
quick_config() {
	{
		cat
		printf '[calibration]\nstill_s = 1\n[detector]\n'
		printf 'trunk_hold_s = 3\ntrunk_hold_at_max_s = 1\nneck_hold_s = 3\nneck_hold_at_max_s = 1\n'
		printf 'realert_s = 5\n'
		for line; do printf '%s\n' "$line"; done
		printf '[haptic]\nbackend = none\n'
	} >"$T/postured.ini"
}

# start_sim PROFILE SCRIPT [POSTURED_ARG...]: postured with $T/postured.ini on emulated sensors,
# moved by the simwearer SCRIPT (a file); its output goes to $LOG. SIM_BUFFER=on|stalled gives
# the emulated devices triggered buffers (simwearer --buffer); the default is off. Returns once the daemon
# process runs, with SIM_PID (simwearer) and DAEMON_PID (postured) set. After stop_sim it may be
# called again, as a restart: the state directory $T/state (the stored calibration) is kept, while
# the events file and $LOG start afresh.
start_sim() {
	profile=$1
	script=$2
	shift 2
	mkdir -p "$T/state"
	rm -f "$T/ready" "$EVENTS"
	umockdev-wrapper "$BUILD/simwearer" --devices "$profile" --script "$script" \
		--speed "$SPEED" --ready-file "$T/ready" --buffer "${SIM_BUFFER:-off}" -- \
		"$BUILD/postured" --config "$T/postured.ini" --foreground --speed "$SPEED" \
		--state-dir "$T/state" --events "$EVENTS" "$@" >"$LOG" 2>&1 &
	SIM_PID=$!
	waited=0
	while [ ! -s "$T/ready" ]; do
		kill -0 "$SIM_PID" 2>/dev/null || fail "simwearer exited before starting postured"
		[ "$waited" -lt 100 ] || fail "simwearer did not start postured within 10 s"
		sleep 0.1
		waited=$((waited + 1))
	done
	DAEMON_PID=$(sed -n 's/^pid //p' "$T/ready")
}

# wait_event EVENT [TIMEOUT_S [FIELD=VALUE]]: waits until an EVENT event (with FIELD equal to
# VALUE, if given) is in the events file.
wait_event() {
	name=$1
	timeout_s=${2:-20}
	match=${3:-}
	pattern="\"POSTURE_EVENT\":\"$name\""
	tries=0
	while :; do
		if [ -z "$match" ]; then
			grep -q "$pattern" "$EVENTS" 2>/dev/null && return 0
		else
			grep "$pattern" "$EVENTS" 2>/dev/null |
				grep -q "\"${match%%=*}\":\"${match#*=}\"" && return 0
		fi
		if ! kill -0 "$SIM_PID" 2>/dev/null; then
			fail "expected a $name event${match:+ with $match}, but postured and" \
				"simwearer have exited"
		fi
		[ "$tries" -lt $((timeout_s * 10)) ] ||
			fail "expected a $name event${match:+ with $match} within $timeout_s s"
		sleep 0.1
		tries=$((tries + 1))
	done
}

# expect_order "E1 E2 ...": the events so far contain E1, E2, ... in this order (others may come
# in between).
expect_order() {
	rest=" $(events) "
	for e in $1; do
		case "$rest" in
		*" $e "*)
			rest=${rest#*" $e "}
			rest=" $rest"
			;;
		*)
			fail "events missing or out of order: expected, in this order: $1"
			;;
		esac
	done
}

# expect_near VALUE WANT TOLERANCE WHAT: |VALUE - WANT| <= TOLERANCE.
expect_near() {
	awk -v v="$1" -v w="$2" -v tol="$3" \
		'BEGIN { d = v - w; exit !(v != "" && w != "" && d <= tol && -d <= tol) }' ||
		fail "$4 is '$1', expected ${2:-(nothing)} +- $3"
}

# expect_running: the daemon is still alive.
expect_running() {
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "postured (pid $DAEMON_PID) is no longer running"
}

# stop_sim: SIGTERM to simwearer (it forwards it to postured); waits up to 20 s and sets
# SIM_STATUS to the daemon's exit status.
stop_sim() {
	kill -TERM "$SIM_PID" 2>/dev/null || true
	tries=0
	while kill -0 "$SIM_PID" 2>/dev/null; do
		[ "$tries" -lt 200 ] || fail "postured did not stop within 20 s of SIGTERM"
		sleep 0.1
		tries=$((tries + 1))
	done
	SIM_STATUS=0
	wait "$SIM_PID" || SIM_STATUS=$?
	SIM_PID=
}

# expect_clean_stop: stop_sim, then the daemon exited 0 after a "stopped" event.
expect_clean_stop() {
	stop_sim
	[ "$SIM_STATUS" -eq 0 ] ||
		fail "postured exited with status $SIM_STATUS after SIGTERM, expected 0"
	[ "$(count_events stopped)" -eq 1 ] || fail "expected one stopped event after SIGTERM"
}

# event_times: "EVENT T" for each event so far (T, the pipeline time in s), one per line.
event_times() {
	sed -n 's/^{"t":\([0-9.]*\),.*"POSTURE_EVENT":"\([^"]*\)".*/\2 \1/p' "$EVENTS" 2>/dev/null
}

# same_events A B TOLERANCE_S WHAT: the event_times lists in files A and B name the same events
# in the same order, each at the same time within TOLERANCE_S.
same_events() {
	awk -v tol="$3" 'NR == FNR { name[NR] = $1; t[NR] = $2; n = NR; next }
		{ m = FNR; if (name[m] != $1) { print "event " m ": " name[m] " vs " $1; bad = 1 }
		  else if ((t[m] - $2) > tol || ($2 - t[m]) > tol) {
			print "event " m " (" $1 "): at " t[m] " s vs " $2 " s"; bad = 1 } }
		END { if (n != m) { print n " events vs " m; bad = 1 }; exit bad }' "$1" "$2" \
		>"$T/same-events.diff" ||
		fail "$4: the events differ: $(cat "$T/same-events.diff"); first: $(tr '\n' ' ' <"$1");" \
			"second: $(tr '\n' ' ' <"$2")"
}

# Never leave a daemon behind, whatever way the test ends.
cleanup_sim() {
	if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
		kill -TERM "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
	fi
}
trap cleanup_sim EXIT
