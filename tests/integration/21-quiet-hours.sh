# SPDX-License-Identifier: GPL-2.0-or-later
# Quiet hours in the live daemon, on the wall clock: a range around now silences the alert, which
# is still written and says why; the same slump outside any range buzzes (names its pattern).

# quiet_config RANGE: the slump test's config with [alerts] quiet_hours = RANGE and a motor
# named in the events (backend = none: none is driven, but the events say which pattern played).
quiet_config() {
	quick_config <<INI
[trunk]
device = mpu6050
forward_axis = -X
[alerts]
quiet_hours = $1
INI
}

# HH:MM of the local time OFFSET minutes from now.
clock_in() {
	date -d "$1 minutes" +%H:%M
}

cat >"$T/wearer" <<'SCRIPT'
4 tilt trunk +X 35 over 1
14 tilt trunk +X 0 over 1
SCRIPT

quiet_config "$(clock_in -30)-$(clock_in 30)"
start_sim mpu6050 "$T/wearer"
wait_event alert 25
[ "$(event_field alert POSTURE_SILENCED)" = quiet_hours ] ||
	fail "an alert in quiet hours has POSTURE_SILENCED '$(event_field alert POSTURE_SILENCED)'"
grep '"POSTURE_EVENT":"alert"' "$EVENTS" | grep -q 'no buzz: quiet hours' ||
	fail "the alert's MESSAGE says it did not buzz"
! grep '"POSTURE_EVENT":"alert"' "$EVENTS" | grep -q 'haptic alert pattern' ||
	fail "a silenced alert names no haptic pattern"
expect_clean_stop

# The same wearer, with quiet hours that do not cover now: the alert buzzes.
rm -f "$EVENTS"
quiet_config "$(clock_in 120)-$(clock_in 180)"
start_sim mpu6050 "$T/wearer"
wait_event alert 25
[ -z "$(event_field alert POSTURE_SILENCED)" ] ||
	fail "an alert outside quiet hours is silenced: $(event_field alert POSTURE_SILENCED)"
grep '"POSTURE_EVENT":"alert"' "$EVENTS" | grep -q 'haptic alert pattern 400 200 400 ms' ||
	fail "an alert outside quiet hours plays alert_pattern"
expect_clean_stop
