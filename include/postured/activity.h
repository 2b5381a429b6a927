/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the wearer is doing, every instant: still, moving or lying, from one sensor's accelerometer
 * and gyroscope and the trunk's tilt from its upright reference. Pure: samples and time in, a
 * class out; the caller owns the state.
 *
 * ISO 11226's holding times are for static postures: only "still" accumulates holding time, a
 * movement is the remedy, and lying is never a slump. Walking is also recognised (steady steps
 * with a vertical bounce), because a walking trunk is near vertical whatever the wearer's start-up
 * pose was: reference.c checks the upright reference against it.
 */
#ifndef POSTURED_ACTIVITY_H
#define POSTURED_ACTIVITY_H

#include <stdbool.h>

#include "postured/sample.h"

enum activity_class {
	ACTIVITY_STILL,	 /* a static posture: breathing, fidgeting, typing */
	ACTIVITY_MOVING, /* walking, stairs, exercise, standing up, lying down */
	ACTIVITY_LYING,	 /* the trunk's long axis far from vertical, whatever forward is */
	ACTIVITY_COUNT,
};

/* "still", "moving", "lying": the trace column, STATUS= and event fields use these. */
const char *activity_name(enum activity_class c);

struct activity_settings {
	double moving_accel_m_s2; /* rms acceleration beyond gravity above this: moving */
	double moving_gyro_rad_s; /* rms rate of turn (about its 2 s mean) above this: moving */
	double lying_deg;	  /* trunk tilt from upright beyond this: lying */
};

struct activity {
	enum activity_class cls;
	bool walking;	  /* moving with steady steps and a vertical bounce */
	double moving_s;  /* how long the current movement has lasted (0 when not moving) */
	double walking_s; /* how long the current walk has lasted (0 when not walking) */

	/* All private: short-term means and variances of the readings. */
	bool started;
	double mean_accel_m_s2[3]; /* of the readings, turned with the sensor */
	double mean_gyro_rad_s[3];
	double accel_var_m2_s4;
	double gyro_var_rad2_s2;
	double vertical_var_m2_s4;
	double quiet_s;	       /* since the readings were last above the moving thresholds */
	double bounce_m_s2[2]; /* the vertical acceleration through two low-passes */
	bool bounce_high;      /* its last swing was upward */
	double since_step_s;
	double step_s; /* mean time between steps */
};

void activity_default_settings(struct activity_settings *s);
void activity_init(struct activity *a);
/*
 * One sample dt_s after the previous (0 for the first); up is the sensor's estimated unit up
 * vector; trunk_tilt_deg is the trunk's angle from its upright reference, or NAN while unknown
 * (not calibrated yet: lying cannot be told then).
 */
void activity_update(struct activity *a, const struct activity_settings *s, double dt_s,
		     const struct imu_sample *imu, const double up[3], double trunk_tilt_deg);
/*
 * A sample while the vibration motor runs: its acceleration is the motor's, so it is not
 * measured (it would read as moving for seconds after the buzz, long enough to end a slump).
 * The class and how long it has lasted stay as they were; the mean reading keeps turning with
 * the gyro, so a pose changed during the buzz is no acceleration after it.
 */
void activity_hold(struct activity *a, double dt_s, const struct imu_sample *imu);

#endif
