/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/sample.h"

#include <math.h>

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_TRUNK] = "trunk",
	[ROLE_HEAD] = "head",
};

const char *role_name(enum sensor_role role)
{
	return (unsigned int)role < ROLE_COUNT ? role_names[role] : "unknown";
}

bool imu_sample_plausible(const struct imu_sample *imu)
{
	for (int a = 0; a < 3; a++)
		if (!(fabs(imu->accel_m_s2[a]) <= IMU_ACCEL_MAX_M_S2) ||
		    !(fabs(imu->gyro_rad_s[a]) <= IMU_GYRO_MAX_RAD_S))
			return false;
	return true;
}
