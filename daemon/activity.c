/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Still, moving or lying, and walking. The thresholds come from the UCI HAPT recordings (30
 * people, waist, README "Activity"): sitting and standing, the rms acceleration beyond gravity
 * is 0.07 m/s^2 at the median and 1.4 at the 99th percentile (fidgeting), walking and stairs
 * 1.5 at the 1st percentile; the rate of turn 0.7 deg/s at the median sitting and about 25 deg/s
 * in the slowest walking.
 */
#include "postured/activity.h"

#include <math.h>
#include <string.h>

#include "postured/vec3.h"

/* The readings are compared with their means over about this long. */
#define MEAN_ACCEL_TAU_S 0.5
#define MEAN_GYRO_TAU_S 2.0
/* Variances average over about a second: one step, one breath's worth of fidgeting. */
#define VAR_TAU_S 1.0
/* A movement lasts until the readings have been quiet this long: a pause mid-stride is not rest. */
#define QUIET_S 1.0
/* Leaving lying needs the tilt this far below lying_deg, so a half-raised trunk does not flicker.
 */
#define LYING_HYSTERESIS_DEG 10.0
/*
 * Steps: the vertical acceleration, low-passed to about 3 Hz (a step's bounce, not the heel
 * strike's ringing), swings beyond half its rms (and at least BOUNCE_MIN_M_S2) each way once a
 * step.
 */
#define BOUNCE_TAU_S 0.05
#define BOUNCE_MIN_M_S2 0.3
/*
 * Walking steps come every 0.42-0.8 s (1.25-2.4 Hz); at the waist or with a sensor off the spine
 * one side's steps bounce less, and the swings come once a stride (up to 1.3 s). Rowing rocks
 * the trunk more slowly, running bounces harder, and pedalling lacks the vertical bounce.
 */
#define STEP_MIN_S 0.42
#define STEP_MAX_S 1.3
#define STEP_TAU_S 2.0
/* A walking trunk bounces 0.8-3 m/s^2 rms vertically; jumping and running far more. */
#define WALK_VERTICAL_MIN_M_S2 0.8
#define WALK_ACCEL_MAX_M_S2 5.0
/* Of the acceleration's variance, walking's bounce is at least this share (rowing, swaying: less).
 */
#define VERTICAL_SHARE_MIN 0.25

static const char *const names[ACTIVITY_COUNT] = {
	[ACTIVITY_STILL] = "still",
	[ACTIVITY_MOVING] = "moving",
	[ACTIVITY_LYING] = "lying",
};

const char *activity_name(enum activity_class c)
{
	return (unsigned int)c < ACTIVITY_COUNT ? names[c] : "unknown";
}

void activity_default_settings(struct activity_settings *s)
{
	s->moving_accel_m_s2 = 0.8;
	s->moving_gyro_rad_s = 15.0 * RAD_PER_DEG;
	s->lying_deg = 60.0;
}

void activity_init(struct activity *a)
{
	memset(a, 0, sizeof(*a));
	a->cls = ACTIVITY_STILL;
}

static void start(struct activity *a, const struct imu_sample *imu)
{
	vec3_copy(a->mean_accel_m_s2, imu->accel_m_s2);
	vec3_copy(a->mean_gyro_rad_s, imu->gyro_rad_s);
	a->quiet_s = QUIET_S;
	a->step_s = 0.0;
	a->started = true;
}

/* An upward swing after a downward one is a step: keep the mean interval and its jitter. */
static void track_steps(struct activity *a, double dt_s, double vertical_m_s2)
{
	double k = dt_s / (BOUNCE_TAU_S + dt_s), v, swing2;

	a->bounce_m_s2[0] += k * (vertical_m_s2 - a->bounce_m_s2[0]);
	a->bounce_m_s2[1] += k * (a->bounce_m_s2[0] - a->bounce_m_s2[1]);
	v = a->bounce_m_s2[1];
	swing2 = 0.25 * a->vertical_var_m2_s4;
	if (swing2 < BOUNCE_MIN_M_S2 * BOUNCE_MIN_M_S2)
		swing2 = BOUNCE_MIN_M_S2 * BOUNCE_MIN_M_S2;
	a->since_step_s += dt_s;
	if (v < 0.0 && v * v > swing2) {
		a->bounce_high = false;
	} else if (v > 0.0 && v * v > swing2 && !a->bounce_high) {
		k = a->since_step_s / (STEP_TAU_S + a->since_step_s);
		a->bounce_high = true;
		if (a->step_s == 0.0 || a->since_step_s > 2.0 * STEP_MAX_S)
			a->step_s = a->since_step_s;
		else
			a->step_s += k * (a->since_step_s - a->step_s);
		a->since_step_s = 0.0;
	}
}

static bool gait(const struct activity *a)
{
	return a->since_step_s < STEP_MAX_S && a->step_s >= STEP_MIN_S && a->step_s <= STEP_MAX_S &&
	       a->vertical_var_m2_s4 >= VERTICAL_SHARE_MIN * a->accel_var_m2_s4 &&
	       a->vertical_var_m2_s4 >= WALK_VERTICAL_MIN_M_S2 * WALK_VERTICAL_MIN_M_S2 &&
	       a->accel_var_m2_s4 <= WALK_ACCEL_MAX_M_S2 * WALK_ACCEL_MAX_M_S2;
}

static bool lying(const struct activity *a, const struct activity_settings *s, double tilt_deg)
{
	if (isnan(tilt_deg))
		return false;
	if (a->cls == ACTIVITY_LYING)
		return tilt_deg > s->lying_deg - LYING_HYSTERESIS_DEG;
	return tilt_deg > s->lying_deg;
}

void activity_update(struct activity *a, const struct activity_settings *s, double dt_s,
		     const struct imu_sample *imu, const double up[3], double trunk_tilt_deg)
{
	const double *acc = imu->accel_m_s2, *w = imu->gyro_rad_s;
	double ka = dt_s / (MEAN_ACCEL_TAU_S + dt_s), kw = dt_s / (MEAN_GYRO_TAU_S + dt_s);
	double kv = dt_s / (VAR_TAU_S + dt_s);
	double acc_dev2 = 0.0, gyro_dev2 = 0.0, vertical, dev[3], turn[3];

	if (!a->started)
		start(a, imu);
	/*
	 * The acceleration beyond gravity: the reading less its short-term mean, the mean kept
	 * turning with the sensor by the gyro. A slow slump turns the reading and its mean alike,
	 * so it is no acceleration, only a change of pose; the mean also takes out gravity and the
	 * accelerometer's offset. (Small-angle step: the mean loses w dt x mean.)
	 */
	vec3_cross(w, a->mean_accel_m_s2, turn);
	for (int i = 0; i < 3; i++) {
		double da, dw;

		a->mean_accel_m_s2[i] -= turn[i] * dt_s;
		a->mean_accel_m_s2[i] += ka * (acc[i] - a->mean_accel_m_s2[i]);
		a->mean_gyro_rad_s[i] += kw * (w[i] - a->mean_gyro_rad_s[i]);
		da = acc[i] - a->mean_accel_m_s2[i];
		dw = w[i] - a->mean_gyro_rad_s[i];
		dev[i] = da;
		acc_dev2 += da * da;
		gyro_dev2 += dw * dw;
	}
	/* Along up: the bounce of each step. */
	vertical = vec3_dot(dev, up);
	a->accel_var_m2_s4 += kv * (acc_dev2 - a->accel_var_m2_s4);
	a->gyro_var_rad2_s2 += kv * (gyro_dev2 - a->gyro_var_rad2_s2);
	a->vertical_var_m2_s4 += kv * (vertical * vertical - a->vertical_var_m2_s4);
	track_steps(a, dt_s, vertical);

	if (a->accel_var_m2_s4 > s->moving_accel_m_s2 * s->moving_accel_m_s2 ||
	    a->gyro_var_rad2_s2 > s->moving_gyro_rad_s * s->moving_gyro_rad_s)
		a->quiet_s = 0.0;
	else
		a->quiet_s += dt_s;

	/* Nobody walks lying down: steps overrule a tilt that a wrong reference may show. */
	a->walking = a->quiet_s < QUIET_S && gait(a);
	if (!a->walking && lying(a, s, trunk_tilt_deg))
		a->cls = ACTIVITY_LYING;
	else if (a->quiet_s < QUIET_S)
		a->cls = ACTIVITY_MOVING;
	else
		a->cls = ACTIVITY_STILL;
	a->moving_s = a->cls == ACTIVITY_MOVING ? a->moving_s + dt_s : 0.0;
	a->walking_s = a->walking ? a->walking_s + dt_s : 0.0;
}

void activity_hold(struct activity *a, double dt_s, const struct imu_sample *imu)
{
	double turn[3];

	if (!a->started)
		return;
	vec3_cross(imu->gyro_rad_s, a->mean_accel_m_s2, turn);
	for (int i = 0; i < 3; i++)
		a->mean_accel_m_s2[i] -= turn[i] * dt_s;
}
