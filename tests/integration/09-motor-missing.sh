# SPDX-License-Identifier: GPL-2.0-or-later
# The motor's GPIO chip does not exist (a typo in [haptic] chip, a Raspberry Pi 5 numbering its
# chips differently): postured refuses to start, at once, with exit status 1 and a message naming
# the chip and what to do, before it announces anything. A monitor that cannot buzz must not look
# as if it runs. This machine has no GPIO at all; under simwearer the sensors work, so only the
# motor can be the reason.

CHIP=gpiochip9
[ ! -e "/dev/$CHIP" ] || fail "this machine has /dev/$CHIP: the test needs a chip that is missing"
cat >"$T/postured.ini" <<INI
[haptic]
backend = gpiod
chip = $CHIP
line = 17
INI
MESSAGE="postured: error: gpio chip '$CHIP' not found: list chips with gpiodetect and set \
[haptic] chip"

# The configuration itself is valid: the failure is one of running (1), not of usage (2).
"$BUILD/postured" --check-config "$T/postured.ini" >"$LOG" 2>&1 ||
	fail "postured --check-config rejects the configuration"

# expect_refusal WHAT COMMAND...: COMMAND exits with status 1 within 3 s, printing MESSAGE, and
# writes no event.
expect_refusal() {
	what=$1
	shift
	rm -f "$EVENTS"
	start_ms=$(date +%s%3N)
	status=0
	timeout 10 "$@" >"$LOG" 2>&1 || status=$?
	elapsed_ms=$(($(date +%s%3N) - start_ms))
	[ "$status" -eq 1 ] || fail "$what: exit status $status, expected 1"
	[ "$elapsed_ms" -le 3000 ] || fail "$what: took $elapsed_ms ms to give up, expected < 3 s"
	grep -Fxq "$MESSAGE" "$LOG" || fail "$what: no line '$MESSAGE'"
	[ ! -s "$EVENTS" ] || fail "$what: events were written, expected none (not even started)"
}

expect_refusal "without sensors" \
	"$BUILD/postured" --config "$T/postured.ini" --foreground --state-dir "$T/state" \
	--events "$EVENTS"
expect_refusal "with an MPU-6050 answering" \
	umockdev-wrapper "$BUILD/simwearer" --devices mpu6050 --speed "$SPEED" -- \
	"$BUILD/postured" --config "$T/postured.ini" --foreground --speed "$SPEED" \
	--state-dir "$T/state" --events "$EVENTS"
