# SPDX-License-Identifier: GPL-2.0-or-later
# Two MPU-6050s with the same IIO name, told apart by their I2C address: 0x68 on the upper back,
# 0x69 (AD0 high) on a headband. The head bends forward while the trunk stays upright: neck
# flexion. Trunk and neck rules are equally quick here, so a daemon that swapped the two sensors
# would report a trunk slump instead.

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
4 tilt head +X 40 over 1
14 tilt head +X 0 over 1
SCRIPT

start_sim mpu6050x2 "$T/wearer"
wait_event calibrated 10
wait_event slump_started 15
wait_event slump_ended 15
expect_order "started calibrated slump_started slump_ended"
[ "$(event_field slump_started POSTURE_CAUSE)" = neck ] ||
	fail "slump_started has POSTURE_CAUSE '$(event_field slump_started POSTURE_CAUSE)'," \
		"expected neck"
expect_near "$(event_field slump_started POSTURE_NECK_DEG)" 40 3 "neck angle at slump_started"
expect_near "$(event_field slump_started POSTURE_TRUNK_DEG)" 0 3 "trunk angle at slump_started"
expect_clean_stop
