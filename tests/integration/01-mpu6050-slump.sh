# SPDX-License-Identifier: GPL-2.0-or-later
# One MPU-6050 on the upper back: upright and still, then a sustained forward slump, then upright
# again. Expects calibration, the slump with its alert, and the correction, in this order.

quick_config <<'INI'
[trunk]
device = mpu6050
forward_axis = -X
INI

# The sensor's x axis points out of the back: leaning forward tips "up" toward +X.
cat >"$T/wearer" <<'SCRIPT'
4 tilt trunk +X 35 over 1
14 tilt trunk +X 0 over 1
SCRIPT

start_sim mpu6050 "$T/wearer"
wait_event calibrated 10
wait_event slump_started 15
wait_event alert 10
wait_event slump_ended 15
expect_order "started calibrated slump_started alert slump_ended"
[ "$(event_field slump_started POSTURE_CAUSE)" = trunk ] ||
	fail "slump_started has POSTURE_CAUSE '$(event_field slump_started POSTURE_CAUSE)'," \
		"expected trunk"
expect_near "$(event_field slump_started POSTURE_TRUNK_DEG)" 35 3 "trunk angle at slump_started"
expect_clean_stop
