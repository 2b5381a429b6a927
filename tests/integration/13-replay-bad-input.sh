# SPDX-License-Identifier: GPL-2.0-or-later
# Replay of damaged recordings (issue 11): binary data is an error naming FILE:LINE, at once,
# never a hang; a row no sensor or clock gives is skipped, with one warning naming the first
# and the count at the end, and the events are exactly those of the undamaged recording, with
# finite times. And replay's alerts are the live daemon's for the same config: with a motor
# named in [haptic], none says "no motor" (replay never drives it).

DEMO=tests/data/demo-session.csv.gz
NUL_MESSAGE="a NUL byte at column 1: this is binary data, not a recording (CSV text, plain or \
gzipped): check that this is the right file"

# expect_error FILE LINE: replay exits 1 within 10 s with "FILE:LINE: $NUL_MESSAGE".
expect_error() {
	status=0
	timeout 10 "$BUILD/postured" --replay "$1" --config config/demo.ini >"$LOG" 2>&1 ||
		status=$?
	[ "$status" -ne 124 ] || fail "postured --replay $1 still ran after 10 s"
	[ "$status" -eq 1 ] || fail "postured --replay $1 exited with status $status, not 1"
	grep -qxF "postured: error: $1:$2: $NUL_MESSAGE" "$LOG" ||
		fail "postured --replay $1 did not say: $1:$2: $NUL_MESSAGE"
}

expect_error /dev/zero 1
# A NUL at the start of line 2000 (the 1995th sample), plain and gzipped.
zcat "$DEMO" | awk 'NR == 2000 { printf "%c", 0 } { print }' >"$T/nul.csv"
expect_error "$T/nul.csv" 2000
gzip -c "$T/nul.csv" >"$T/nul.csv.gz"
expect_error "$T/nul.csv.gz" 2000

# The undamaged replay, then one with a bus glitch mid-slump (line 2000: t = 39.9 s) and a
# time no clock gives (line 5000): the same events at the same times.
"$BUILD/postured" --replay "$DEMO" --config config/demo.ini --events "$T/clean.jsonl" \
	>"$LOG" 2>&1 || fail "postured --replay $DEMO failed"
zcat "$DEMO" | awk -F, -v OFS=, 'NR == 2000 { $2 = "1e308" } NR == 5000 { $1 = "1e308" } 1' \
	>"$T/glitch.csv"
status=0
"$BUILD/postured" --replay "$T/glitch.csv" --config config/demo.ini --events "$EVENTS" \
	>"$LOG" 2>&1 || status=$?
[ "$status" -eq 0 ] || fail "postured --replay glitch.csv exited with status $status"
sed 's/"t":[^,]*,//; s/replay of [^"]*//g' "$T/clean.jsonl" >"$T/clean.cmp"
sed 's/"t":[^,]*,//; s/replay of [^"]*//g' "$EVENTS" >"$T/glitch.cmp"
cmp -s "$T/clean.cmp" "$T/glitch.cmp" || fail "the glitches changed the events:" \
	"$(diff "$T/clean.cmp" "$T/glitch.cmp" | head -n 6)"
cut -d, -f1 "$T/clean.jsonl" >"$T/clean.t"
cut -d, -f1 "$EVENTS" >"$T/glitch.t"
cmp -s "$T/clean.t" "$T/glitch.t" || fail "the glitches changed the events' times"
! grep -qE 'inf|nan|null' "$EVENTS" || fail "an event carries inf, nan or null"
warning="postured: warning: $T/glitch.csv:2000: trunk.ax = 1e308 m/s^2 is beyond what an \
accelerometer reads (314 m/s^2): row skipped (the count of skipped rows comes at the end)"
grep -qxF "$warning" "$LOG" || fail "no warning: $warning"
[ "$(grep -c 'skipped' "$LOG")" -eq 2 ] || fail "expected one warning and one count"
grep -qxF "postured: warning: $T/glitch.csv: 2 rows skipped in all" "$LOG" ||
	fail "no count of the skipped rows"

# With a motor in the config, replay's alerts are the live daemon's: no "(no motor: ...)".
sed 's/^backend = none$/backend = gpiod\nchip = gpiochip0\nline = 17/' config/demo.ini \
	>"$T/motor.ini"
grep -qx 'backend = gpiod' "$T/motor.ini" || fail "could not name a motor in $T/motor.ini"
"$BUILD/postured" --replay "$DEMO" --config "$T/motor.ini" --events "$EVENTS" >"$LOG" 2>&1 ||
	fail "postured --replay with a motor in the config failed"
[ "$(count_events alert)" -eq 5 ] || fail "expected 5 alerts, got $(count_events alert)"
! grep -q 'no motor' "$EVENTS" "$LOG" || fail "replay says 'no motor' when the config names one"
grep '"POSTURE_EVENT":"alert"' "$EVENTS" | grep -q '"POSTURE_DETAIL":"haptic alert pattern [^"(]* ms"' ||
	fail "replay's alert does not say the pattern the motor buzzes"
# Without one, it says so, as the live daemon does.
"$BUILD/postured" --replay "$DEMO" --config config/demo.ini --events "$EVENTS" >"$LOG" 2>&1 ||
	fail "postured --replay failed"
grep -q 'no motor: \[haptic\] backend = none' "$EVENTS" || fail "replay hides that no motor is set"
