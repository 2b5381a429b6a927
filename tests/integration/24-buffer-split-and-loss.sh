# SPDX-License-Identifier: GPL-2.0-or-later
# Buffered capture of an LSM6DSO (accel and gyro are two devices, each with its FIFO buffer, and
# the board is mounted turned 90 degrees: only a daemon that pairs the halves by time and applies
# the mount matrix to both reports the slump), then two MPU-6050s on their own triggers with the
# head unplugged and plugged back: lost when its buffer falls silent, restored with a new buffer,
# and the neck rule works again with the frames paired by time.

quick_config 'lateral_enabled = false' <<'INI'
[trunk]
device = lsm6dso
forward_axis = -X
INI
cat >"$T/wearer" <<'SCRIPT'
4 tilt trunk +X 35 over 1
14 tilt trunk +X 0 over 1
SCRIPT
SIM_BUFFER=on start_sim lsm6dso "$T/wearer"
wait_event calibrated 10
wait_event slump_started 15
wait_event slump_ended 15
expect_order "started calibrated slump_started alert slump_ended"
expect_near "$(event_field slump_started POSTURE_TRUNK_DEG)" 35 2 "trunk angle at slump_started"
grep -q 'lsm6dso_accel (iio:device0) + lsm6dso_gyro (iio:device1), .*triggered buffer on its hardware FIFO' \
	"$LOG" || fail "the LSM6DSO is not read from its FIFO buffers"
expect_clean_stop

quick_config <<'INI'
[trunk]
device = mpu6050
address = 0x68
forward_axis = -X
[head]
enabled = true
device = mpu6050
address = 0x69
forward_axis = -X
INI
cat >"$T/wearer" <<'SCRIPT'
4 remove head
8 add head
12 tilt head +X 40 over 1
SCRIPT
rm -rf "$T/state"
SIM_BUFFER=on start_sim mpu6050x2 "$T/wearer"
wait_event calibrated 10
wait_event sensor_lost 15
[ "$(event_field sensor_lost POSTURE_SENSOR)" = head ] || fail "the head should be lost"
event_field sensor_lost POSTURE_DETAIL | grep -q 'no samples from the buffer of mpu6050' ||
	fail "sensor_lost does not say the buffer fell silent: $(event_field sensor_lost POSTURE_DETAIL)"
wait_event sensor_restored 15
wait_event slump_started 20
[ "$(event_field slump_started POSTURE_CAUSE)" = neck ] ||
	fail "the slump after the head's return is not the neck's"
expect_near "$(event_field slump_started POSTURE_NECK_DEG)" 40 3 "neck angle at slump_started"
[ "$(grep -c 'triggered buffer on its own data-ready trigger mpu6050-dev1' "$LOG")" -eq 2 ] ||
	fail "the head's buffer is not set up again after its return"
expect_clean_stop
