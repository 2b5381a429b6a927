# SPDX-License-Identifier: GPL-2.0-or-later
# The wearer's button on a GPIO chip that does not exist, as the motor in 09-motor-missing: at
# start-up postured refuses to start, at once, with exit status 1 and a message naming the chip
# and the [button] section, before it announces anything. A reload that names such a button is
# rejected (config_rejected with the message) and the daemon runs on with its running settings.
# This machine has no GPIO at all (no simulator in Debian's amd64 kernels), so presses are tested
# by the unit tests against the libgpiod fake; here the daemon's side of a missing line is.

CHIP=gpiochip9
[ ! -e "/dev/$CHIP" ] || fail "this machine has /dev/$CHIP: the test needs a chip that is missing"
MESSAGE="gpio chip '$CHIP' not found: list chips with gpiodetect and set [button] chip"

# button_config BACKEND: no motor, the button on $CHIP if BACKEND is gpiod.
button_config() {
	cat >"$T/postured.ini" <<INI
[calibration]
still_s = 1
[haptic]
backend = none
[button]
backend = $1
chip = $CHIP
line = 27
INI
}

button_config gpiod
# The configuration itself is valid: the failure is one of running (1), not of usage (2).
"$BUILD/postured" --check-config "$T/postured.ini" >"$LOG" 2>&1 ||
	fail "postured --check-config rejects the configuration"

rm -f "$EVENTS"
start_ms=$(date +%s%3N)
status=0
timeout 10 umockdev-wrapper "$BUILD/simwearer" --devices mpu6050 --speed "$SPEED" -- \
	"$BUILD/postured" --config "$T/postured.ini" --foreground --speed "$SPEED" \
	--state-dir "$T/state" --events "$EVENTS" >"$LOG" 2>&1 || status=$?
elapsed_ms=$(($(date +%s%3N) - start_ms))
[ "$status" -eq 1 ] || fail "start-up: exit status $status, expected 1"
[ "$elapsed_ms" -le 3000 ] || fail "start-up: took $elapsed_ms ms to give up, expected < 3 s"
grep -Fxq "postured: error: $MESSAGE" "$LOG" || fail "start-up: no line 'postured: error: $MESSAGE'"
[ ! -s "$EVENTS" ] || fail "start-up: events were written, expected none (not even started)"

# A running daemon without a button is told to use the missing one: rejected, still running.
button_config none
printf '# worn upright, breathing\n' >"$T/wearer"
start_sim mpu6050 "$T/wearer"
wait_event calibrated 20
button_config gpiod
kill -HUP "$DAEMON_PID"
wait_event config_rejected 10
grep '"POSTURE_EVENT":"config_rejected"' "$EVENTS" | grep -Fq "$MESSAGE" ||
	fail "the config_rejected event does not say '$MESSAGE'"
expect_running
# And back without one (a button key changed, so the button is re-opened as none): accepted.
button_config none
kill -HUP "$DAEMON_PID"
wait_event config_reloaded 10
expect_running
expect_clean_stop
