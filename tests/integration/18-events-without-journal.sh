# SPDX-License-Identifier: GPL-2.0-or-later
# Events never vanish: a daemon whose stderr is not the journal writes them there, readable, as
# `postured 2>&1 | grep` expects: (1) with no $JOURNAL_STREAM, (2) with one inherited from a
# service while stderr goes elsewhere (it names another file), and (3) with stderr named as the
# journal's stream but the journal's socket missing (a container without journald), where each
# event goes to stderr at its priority. Output goes through a FIFO: stderr is a pipe, not a file.

quick_config <<'INI'
[trunk]
device = mpu6050
forward_axis = -X
INI
# A still, breathing wearer who slumps: calibrated, then a slump and its alert.
cat >"$T/wearer" <<'SCRIPT'
3 tilt trunk +X 35 over 1
SCRIPT

# run_piped WHAT PREFIX [COMMAND...]: postured (no --foreground) on the wearer until its first
# alert, its stderr a pipe; each event must be a line "PREFIX[ T s] NAME ...". COMMAND, if given,
# wraps the daemon (env settings, a mount namespace).
run_piped() {
	what=$1
	prefix=$2
	shift 2
	rm -f "$T/pipe" "$T/ready" "$LOG"
	mkfifo "$T/pipe"
	cat "$T/pipe" >"$LOG" &
	cat_pid=$!
	"$@" umockdev-wrapper "$BUILD/simwearer" --devices mpu6050 --script "$T/wearer" \
		--speed "$SPEED" --ready-file "$T/ready" -- \
		"$BUILD/postured" --config "$T/postured.ini" --speed "$SPEED" \
		--state-dir "$T/state" >"$T/pipe" 2>&1 &
	SIM_PID=$!
	tries=0
	until grep -q "^$prefix\[ *[0-9.]* s\] alert " "$LOG" 2>/dev/null; do
		kill -0 "$SIM_PID" 2>/dev/null ||
			fail "$what: postured exited before an alert reached stderr"
		[ "$tries" -lt 300 ] || fail "$what: no alert on stderr within 30 s"
		sleep 0.1
		tries=$((tries + 1))
	done
	stop_sim
	wait "$cat_pid"
	[ "$SIM_STATUS" -eq 0 ] || fail "$what: postured exited with status $SIM_STATUS"
	for e in started calibrated slump_started alert stopped; do
		grep -q "^$prefix\[ *[0-9.]* s\] $e " "$LOG" ||
			fail "$what: no $e event on stderr (expected a line '${prefix}[ T s] $e ...')"
	done
	rm -rf "$T/state"
}

mkdir -p "$T/state"
run_piped "no JOURNAL_STREAM" "" env -u JOURNAL_STREAM
! grep -q "to the journal" "$LOG" || fail "no JOURNAL_STREAM: the journal was tried"

mkdir -p "$T/state"
run_piped "an inherited JOURNAL_STREAM" "" \
	env JOURNAL_STREAM="$(stat -c %d:%i "$T/postured.ini")"
! grep -q "to the journal" "$LOG" || fail "inherited JOURNAL_STREAM: the journal was tried"

# (3) The FIFO is named as the journal's stream (as-journal, once run_piped has made it). Without
# journald here, as it is; as root on a system with journald, in a mount namespace where its
# socket is hidden.
cat >"$T/as-journal" <<SH
#!/bin/sh
JOURNAL_STREAM=\$(stat -c %d:%i "$T/pipe") && export JOURNAL_STREAM && exec "\$@"
SH
chmod +x "$T/as-journal"
mkdir -p "$T/state"
what="a journal stream without the journal's socket"
socket=/run/systemd/journal/socket
if [ ! -e "$socket" ]; then
	run_piped "$what" '<[0-9]>' "$T/as-journal"
elif [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	run_piped "$what" '<[0-9]>' unshare -m sh -c \
		'mount -t tmpfs none /run/systemd/journal && exec "$@"' sh "$T/as-journal"
else
	echo "skipped (3): $socket exists, and hiding it takes root and unshare"
	exit 0
fi
[ "$(grep -c 'cannot send .* to the journal' "$LOG")" -eq 1 ] &&
	grep -q '^<3>cannot send the started event to the journal: .*Events go to stderr' "$LOG" ||
	fail "$what: the outage is not reported once, at error priority"
