# SPDX-License-Identifier: GPL-2.0-or-later
# postured --motor-off, the unit's ExecStopPost=: it must succeed where there is no motor and read
# the [haptic] keys from a file the daemon itself refuses. This machine has no GPIO, so the line
# being driven off is tested with the libgpiod fake (tests/unit/test_gpio.c); here it is the
# command: its exit status, what it says, and that mistakes elsewhere in the file do not stop it.

# motor_off EXPECTED_STATUS CONFIG: runs the stop command, output in $LOG.
motor_off() {
	status=0
	"$BUILD/postured" --motor-off --config "$2" >"$LOG" 2>&1 || status=$?
	[ "$status" -eq "$1" ] || fail "--motor-off --config $2: exit status $status, expected $1"
}

# backend = none, below an invalid [input] and an unknown section: nothing to do, nothing said.
cat >"$T/none.ini" <<INI
[input]
rate_hz = fast
[nonsense]
[haptic]
backend = none
INI
! "$BUILD/postured" --check-config "$T/none.ini" >/dev/null 2>&1 ||
	fail "--check-config accepts $T/none.ini, which must be invalid for this test"
motor_off 0 "$T/none.ini"
[ ! -s "$LOG" ] || fail "backend = none: expected no output, got: $(cat "$LOG")"

# No such chip: no motor that could be running, so success, with the reason.
cat >"$T/nochip.ini" <<INI
[detector]
trunk_threshold_deg = 200
[haptic]
chip = gpiochip9
line = 17x
INI
motor_off 0 "$T/nochip.ini"
grep -Fxq "postured: warning: $T/nochip.ini:5: line = '17x' must be a whole decimal number \
(0..1023), written like 17 (the motor stop uses the default, line = 17)" "$LOG" || fail "no warning naming the invalid line key: $(cat "$LOG")"
grep -Fxq "postured: no motor to stop: gpio chip 'gpiochip9' not found: list chips with \
gpiodetect and set [haptic] chip" "$LOG" || fail "no 'no motor to stop' line: $(cat "$LOG")"

# A missing file: the documented defaults, said so.
motor_off 0 "$T/missing.ini"
grep -Fq "$T/missing.ini: cannot read: No such file or directory" "$LOG" &&
	grep -Fq "stopping the motor on the default [haptic] settings" "$LOG" ||
	fail "missing file: $(cat "$LOG")"

# The stop command is only that: with a daemon mode it is a usage error.
for mode in --check-config "--replay $T/none.csv"; do
	status=0
	# shellcheck disable=SC2086 # the mode's words are separate arguments
	"$BUILD/postured" --motor-off $mode --config "$T/none.ini" >"$LOG" 2>&1 || status=$?
	[ "$status" -eq 2 ] || fail "--motor-off $mode: exit status $status, expected 2"
done
