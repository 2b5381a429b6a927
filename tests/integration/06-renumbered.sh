# SPDX-License-Identifier: GPL-2.0-or-later
# Both sensors of test 03 unplugged, then plugged back head first: the kernel now numbers the
# head sensor iio:device0 and the trunk sensor iio:device1, the reverse of before. The daemon
# must find each again by its address, so a forward head bend is still neck flexion.

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
4 remove trunk
4 remove head
6 add head
7 add trunk
12 tilt head +X 40 over 1
22 tilt head +X 0 over 1
SCRIPT

start_sim mpu6050x2 "$T/wearer"
wait_event calibrated 10
wait_event sensor_restored 20 POSTURE_SENSOR=head
wait_event sensor_restored 20 POSTURE_SENSOR=trunk
if ! grep -q 'plugged head: mpu6050 (iio:device0)' "$LOG" ||
	! grep -q 'plugged trunk: mpu6050 (iio:device1)' "$LOG"; then
	fail "simwearer did not swap the device numbers"
fi
wait_event slump_started 20
[ "$(event_field slump_started POSTURE_CAUSE)" = neck ] ||
	fail "slump_started has POSTURE_CAUSE '$(event_field slump_started POSTURE_CAUSE)'," \
		"expected neck: the daemon mixed up the renumbered sensors"
wait_event slump_ended 15
expect_clean_stop
