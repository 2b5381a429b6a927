/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the input stage (IIO or a recording) hands to the pipeline. */
#ifndef POSTURED_SAMPLE_H
#define POSTURED_SAMPLE_H

#include <stdbool.h>

enum sensor_role {
	ROLE_TRUNK,
	ROLE_HEAD,
	ROLE_COUNT,
};

/* "trunk" or "head": the column prefix of the recording format and the ini section name. */
const char *role_name(enum sensor_role role);

/* One IMU reading, in the sensor's own axes after the mount matrix. */
struct imu_sample {
	double accel_m_s2[3];
	double gyro_rad_s[3];
};

/*
 * The largest readings a sensor gives, with a margin: accelerometers reach 16 g (32 g for an
 * LSM6DSO32), gyroscopes 2000 deg/s (4000 for some). Anything beyond is a glitch (a bus error, a
 * corrupted row), and one such sample would throw any filter off for long: it is dropped.
 */
#define IMU_ACCEL_MAX_M_S2 (2.0 * 16.0 * 9.80665)
#define IMU_GYRO_MAX_RAD_S (2.0 * 4000.0 * 3.14159265358979323846 / 180.0)

/* False for a reading beyond those limits on any axis, or not a number. */
bool imu_sample_plausible(const struct imu_sample *imu);

/* All sensors read at one instant. t_s is monotonic seconds from any origin. */
struct frame {
	double t_s;
	bool has[ROLE_COUNT];
	struct imu_sample imu[ROLE_COUNT];
};

#endif
