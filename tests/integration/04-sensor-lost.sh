# SPDX-License-Identifier: GPL-2.0-or-later
# The trunk sensor disappears mid-run (a loose cable, a driver unbind) and comes back: the daemon
# reports the loss and the return, and keeps running.

cat >"$T/postured.ini" <<'INI'
[trunk]
device = mpu6050
forward_axis = -X
[calibration]
still_s = 1
[haptic]
backend = none
INI

cat >"$T/wearer" <<'SCRIPT'
4 remove trunk
14 add trunk
SCRIPT

start_sim mpu6050 "$T/wearer"
wait_event calibrated 10
wait_event sensor_lost 10
[ "$(event_field sensor_lost POSTURE_SENSOR)" = trunk ] ||
	fail "sensor_lost has POSTURE_SENSOR '$(event_field sensor_lost POSTURE_SENSOR)'," \
		"expected trunk"
expect_running
# A reload that reopens the sensors while one is lost is still one lost episode: no second
# sensor_lost now, and one sensor_restored when the device is back.
sed -i 's/^\[trunk\]$/[input]\nrate_hz = 40\n[trunk]/' "$T/postured.ini"
kill -HUP "$DAEMON_PID"
wait_event config_reloaded 10
wait_event sensor_restored 15
[ "$(events)" = "started calibrated sensor_lost config_reloaded sensor_restored" ] ||
	fail "expected exactly: started calibrated sensor_lost config_reloaded sensor_restored"
expect_running
expect_clean_stop
