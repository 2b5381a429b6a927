# SPDX-License-Identifier: GPL-2.0-or-later
# An LSM6DSO: accel and gyro are two IIO devices (lsm6dso_accel, lsm6dso_gyro) found through one
# chip name, and the board is mounted turned 90 degrees (mount_matrix "0, 1, 0; -1, 0, 0;
# 0, 0, 1", a device attribute as st_lsm6dsx creates it). The forward lean is along -X only after
# the matrix; read without it, the same movement is a sideways lean, which is not watched here,
# so only a daemon that applies the matrix to both devices reports the slump.

quick_config 'lateral_enabled = false' <<'INI'
[trunk]
device = lsm6dso
forward_axis = -X
INI

cat >"$T/wearer" <<'SCRIPT'
4 tilt trunk +X 35 over 1
14 tilt trunk +X 0 over 1
SCRIPT

start_sim lsm6dso "$T/wearer"
wait_event calibrated 10
wait_event slump_started 15
wait_event slump_ended 15
expect_order "started calibrated slump_started alert slump_ended"
[ "$(event_field slump_started POSTURE_CAUSE)" = trunk ] ||
	fail "slump_started has POSTURE_CAUSE '$(event_field slump_started POSTURE_CAUSE)'," \
		"expected trunk"
expect_near "$(event_field slump_started POSTURE_TRUNK_DEG)" 35 3 "trunk angle at slump_started"
expect_clean_stop
