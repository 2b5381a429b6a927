/*
 * A complementary inclination filter: the gyro integrates the up vector (exact rotation per step),
 * the accelerometer pulls it toward measured gravity with time constant tau_s, trusted less the
 * further |accel| is from g (so reaching and walking accelerations do not tilt the estimate), and a
 * PI term learns the gyro bias in motion; at rest the bias is learned directly from the gyro.
 */
#include "postured/estimator.h"

#include <math.h>
#include <string.h>

#include "postured/vec3.h"

/* A step longer than this is a gap (sensor lost, recording cut): restart from the accelerometer. */
#define ESTIMATOR_MAX_STEP_S 1.0
/* |accel| further than this fraction of g from g gets no weight at all. */
#define ACCEL_TRUST_BAND 0.15
/* The bias must settle much slower than the attitude, or motion leaks into it. */
#define BIAS_KI_FACTOR (1.0 / 16.0)
/* After the gyro clipped, the accelerometer correction runs this much faster for this long. */
#define SATURATION_GAIN 10.0
#define SATURATION_RECOVERY_S 2.0
/* Bias learning at rest begins once the sensor has rested this long. */
#define REST_SETTLE_S 0.5

void estimator_default_settings(struct estimator_settings *s)
{
	s->tau_s = 2.0;
	s->bias_tau_s = 2.0;
	s->rest_gyro_rad_s = 0.05;
	s->rest_accel_m_s2 = 0.3;
	s->gyro_range_rad_s = 0.0;
}

void estimator_init(struct estimator *e, const struct estimator_settings *s)
{
	memset(e, 0, sizeof(*e));
	e->settings = *s;
	e->up[2] = 1.0;
}

/* Rotates v about unit axis k by angle_rad (Rodrigues). */
static void rotate(double v[3], const double k[3], double angle_rad)
{
	double c = cos(angle_rad), s = sin(angle_rad);
	double kxv[3];
	double kv = vec3_dot(k, v);

	vec3_cross(k, v, kxv);
	for (int i = 0; i < 3; i++)
		v[i] = v[i] * c + kxv[i] * s + k[i] * kv * (1.0 - c);
}

static void start_from_accel(struct estimator *e, double t_s, const struct imu_sample *imu)
{
	double a[3];

	vec3_copy(a, imu->accel_m_s2);
	if (vec3_normalize(a) > 0.0)
		vec3_copy(e->up, a);
	e->last_t_s = t_s;
	e->rest_s = 0.0;
	e->recover_s = 0.0;
	e->initialised = true;
}

static bool gyro_saturated(const struct estimator_settings *s, const double gyro_rad_s[3])
{
	if (s->gyro_range_rad_s <= 0.0)
		return false;
	for (int i = 0; i < 3; i++)
		if (fabs(gyro_rad_s[i]) >= 0.98 * s->gyro_range_rad_s)
			return true;
	return false;
}

void estimator_update(struct estimator *e, double t_s, const struct imu_sample *imu)
{
	const struct estimator_settings *s = &e->settings;
	double dt_s, w[3], a[3], err[3], accel_norm, trust, kp, rate;
	bool saturated;

	if (!e->initialised) {
		start_from_accel(e, t_s, imu);
		return;
	}
	dt_s = t_s - e->last_t_s;
	if (dt_s <= 0.0)
		return;
	if (dt_s > ESTIMATOR_MAX_STEP_S) {
		start_from_accel(e, t_s, imu);
		return;
	}
	e->last_t_s = t_s;

	vec3_copy(a, imu->accel_m_s2);
	accel_norm = vec3_normalize(a);
	trust = 1.0 - fabs(accel_norm - STANDARD_GRAVITY_M_S2) /
			      (ACCEL_TRUST_BAND * STANDARD_GRAVITY_M_S2);
	if (trust < 0.0 || accel_norm == 0.0)
		trust = 0.0;
	saturated = gyro_saturated(s, imu->gyro_rad_s);

	/* Predict: a world-fixed vector seen from the sensor turns by -omega (du/dt = u x omega). */
	for (int i = 0; i < 3; i++)
		w[i] = imu->gyro_rad_s[i] - e->gyro_bias_rad_s[i];
	rate = vec3_norm(w);
	if (rate > 0.0) {
		double axis[3] = { w[0] / rate, w[1] / rate, w[2] / rate };
		rotate(e->up, axis, -rate * dt_s);
	}

	/* Correct toward measured gravity; err is the rotation axis (times sine of the angle). */
	vec3_cross(e->up, a, err);
	/* A clipped gyro under-reports the turn: lean on the accelerometer until it has caught up. */
	if (saturated)
		e->recover_s = SATURATION_RECOVERY_S;
	kp = trust / s->tau_s;
	if (e->recover_s > 0.0) {
		kp *= SATURATION_GAIN;
		e->recover_s -= dt_s;
	}
	rate = vec3_norm(err);
	if (rate > 0.0) {
		double axis[3] = { err[0] / rate, err[1] / rate, err[2] / rate };
		double angle = asin(rate > 1.0 ? 1.0 : rate);
		rotate(e->up, axis, angle * (kp * dt_s > 1.0 ? 1.0 : kp * dt_s));
	}
	/* The residual error is what an uncorrected bias would leave: integrate it (PI). */
	if (e->recover_s <= 0.0)
		for (int i = 0; i < 3; i++)
			e->gyro_bias_rad_s[i] += kp * kp * BIAS_KI_FACTOR * err[i] * dt_s;
	vec3_normalize(e->up);

	if (!saturated && vec3_norm(imu->gyro_rad_s) < s->rest_gyro_rad_s &&
	    fabs(accel_norm - STANDARD_GRAVITY_M_S2) < s->rest_accel_m_s2)
		e->rest_s += dt_s;
	else
		e->rest_s = 0.0;

	if (e->rest_s >= REST_SETTLE_S) {
		double k = dt_s / (s->bias_tau_s + dt_s);
		for (int i = 0; i < 3; i++)
			e->gyro_bias_rad_s[i] += k * (imu->gyro_rad_s[i] - e->gyro_bias_rad_s[i]);
	}
}

bool estimator_at_rest_for(const struct estimator *e, double still_s)
{
	return e->initialised && e->rest_s >= still_s;
}
