# SPDX-License-Identifier: GPL-2.0-or-later
# When the buffer cannot be had or stays silent. An MPU-6050 whose INT pin is declared but not
# wired (simwearer --buffer stalled): its trigger never fires, so after a second postured polls
# instead, says what to wire, and the wearer's slump is still caught. capture = buffer refuses a
# sensor without a buffer (reported and retried, the daemon runs on); capture = poll polls a
# sensor that has one.

quick_config <<'INI'
[trunk]
device = mpu6050
forward_axis = -X
INI
cat >"$T/wearer" <<'SCRIPT'
9 tilt trunk +X 35 over 1
20 tilt trunk +X 0 over 1
SCRIPT
SIM_BUFFER=stalled start_sim mpu6050 "$T/wearer"
wait_event calibrated 15
grep -q 'no samples from the buffer in [0-9.]* s: its data-ready trigger mpu6050-dev0 never fired: the INT pin is not wired.*dtoverlay=mpu6050,interrupt=GPIO.*polling at 50.0 Hz instead' \
	"$LOG" || fail "no message saying the buffer is silent, what to wire and that it polls"
wait_event slump_started 20
wait_event slump_ended 20
expect_near "$(event_field slump_started POSTURE_TRUNK_DEG)" 35 2 "trunk angle at slump_started"
expect_clean_stop

sed -i '1i [input]\ncapture = buffer' "$T/postured.ini"
rm -rf "$T/state"
SIM_BUFFER=off start_sim mpu6050 "$T/wearer"
wait_event sensor_lost 15
event_field sensor_lost POSTURE_DETAIL | grep -q 'no triggered buffer (capture = buffer): mpu6050 (iio:device0) offers no buffer' ||
	fail "capture = buffer without a buffer: $(event_field sensor_lost POSTURE_DETAIL)"
expect_running
expect_clean_stop

sed -i 's/^capture = buffer$/capture = poll/' "$T/postured.ini"
SIM_BUFFER=on start_sim mpu6050 "$T/wearer"
wait_event calibrated 10
grep -q 'polling at 50.0 Hz (capture = poll)' "$LOG" || fail "capture = poll does not poll"
expect_clean_stop
