/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vibration motor as the IMU feels it (see vibration.h for the physics and its sources). */
#include "postured/vibration.h"

#include <math.h>
#include <string.h>

#include "postured/vec3.h"

/* Below this share of full speed the force (its square) is under 1e-4 of full: the motor is still.
 */
#define STILL_SPEED 0.01
/* The latest internal sample a polled reading returns is up to this old (MPU-6050: 1 kHz). */
#define SAMPLE_AGE_MAX_S 0.001
/* The housing's rocking on x, as a share of the coin plane's force, and its phase lead. */
#define ROCK_SHARE 0.5
#define ROCK_PHASE_RAD (M_PI / 3.0)

/* splitmix64: small, fast and good enough to draw speeds and phases reproducibly. */
static uint64_t next_u64(struct vibration *v)
{
	uint64_t z = (v->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double uniform(struct vibration *v)
{
	return (double)(next_u64(v) >> 11) * (1.0 / 9007199254740992.0);
}

void vibration_init(struct vibration *v, uint64_t seed)
{
	memset(v, 0, sizeof(*v));
	v->rng = seed;
	v->switch_t_s = -INFINITY;
}

/* Speed (share of full) and the mass's angle at t_s: exponential spin-up and spin-down. */
static void motion_at(const struct vibration *v, double t_s, double *speed, double *angle_rad)
{
	double tau = VIBRATION_TIME_CONSTANT_S, since_s = t_s - v->switch_t_s, decay, turns;

	if (!(since_s > 0.0))
		since_s = 0.0;
	decay = exp(-since_s / tau);
	if (v->on) {
		*speed = 1.0 - (1.0 - v->speed0) * decay;
		turns = since_s - (1.0 - v->speed0) * tau * (1.0 - decay);
	} else {
		*speed = v->speed0 * decay;
		turns = v->speed0 * tau * (1.0 - decay);
	}
	*angle_rad = v->angle0_rad + 2.0 * M_PI * v->full_hz * turns;
}

void vibration_motor(struct vibration *v, bool on, double t_s)
{
	double speed = 0.0, angle_rad = 0.0;

	if (on == v->on)
		return;
	if (isfinite(v->switch_t_s))
		motion_at(v, t_s, &speed, &angle_rad);
	if (on && speed < STILL_SPEED) {
		/* A new buzz: its own speed and starting angle. */
		v->full_hz = VIBRATION_MIN_HZ + (VIBRATION_MAX_HZ - VIBRATION_MIN_HZ) * uniform(v);
		angle_rad = 2.0 * M_PI * uniform(v);
	}
	v->on = on;
	v->switch_t_s = t_s;
	v->speed0 = speed;
	v->angle0_rad = fmod(angle_rad, 2.0 * M_PI);
}

static double clip(double x, double limit)
{
	return x > limit ? limit : x < -limit ? -limit : x;
}

void vibration_add(struct vibration *v, double t_s, struct imu_sample *imu)
{
	double speed, angle_rad, force, rock_rad_s,
	    range = VIBRATION_RANGE_G * STANDARD_GRAVITY_M_S2;
	double *a = imu->accel_m_s2, *w = imu->gyro_rad_s;

	if (!isfinite(v->switch_t_s))
		return;
	motion_at(v, t_s, &speed, &angle_rad);
	if (!v->on && speed < STILL_SPEED)
		return;
	motion_at(v, t_s - SAMPLE_AGE_MAX_S * uniform(v), &speed, &angle_rad);
	force = VIBRATION_ACCEL_G * STANDARD_GRAVITY_M_S2 * speed * speed;
	rock_rad_s = VIBRATION_ROCK_DEG_S * RAD_PER_DEG * speed * speed;
	a[0] = clip(a[0] + ROCK_SHARE * force * cos(angle_rad + ROCK_PHASE_RAD),
		    fmax(range, fabs(a[0])));
	a[1] = clip(a[1] + force * sin(angle_rad), fmax(range, fabs(a[1])));
	a[2] = clip(a[2] + force * cos(angle_rad), fmax(range, fabs(a[2])));
	w[0] += rock_rad_s * sin(angle_rad + ROCK_PHASE_RAD);
	w[1] += rock_rad_s * cos(angle_rad + ROCK_PHASE_RAD);
}
