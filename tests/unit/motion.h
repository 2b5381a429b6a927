/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Synthetic IMU motion for the unit tests: a sensor pitching about its y axis, exact physics. */
#ifndef POSTURED_TEST_MOTION_H
#define POSTURED_TEST_MOTION_H

#include <math.h>

#include "postured/sample.h"
#include "postured/vec3.h"

/* World up seen from a sensor pitched by pitch_rad about its y axis: R_y(pitch)^T * z. */
static inline void motion_up(double pitch_rad, double up[3])
{
	up[0] = -sin(pitch_rad);
	up[1] = 0.0;
	up[2] = cos(pitch_rad);
}

/* The sample a resting-or-rotating sensor gives: specific force g*up, gyro pitch rate on y. */
static inline void motion_sample(double pitch_rad, double pitch_rate_rad_s, struct imu_sample *s)
{
	double up[3];

	motion_up(pitch_rad, up);
	for (int i = 0; i < 3; i++) {
		s->accel_m_s2[i] = STANDARD_GRAVITY_M_S2 * up[i];
		s->gyro_rad_s[i] = 0.0;
	}
	s->gyro_rad_s[1] = pitch_rate_rad_s;
}

#endif
