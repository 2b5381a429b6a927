/*
 * Inclination from a gyroscope and an accelerometer, after the structure of VQF (Laidig and
 * Seel, Information Fusion 2023), written for an up vector only and a small per-sample cost.
 *
 * - The gyro carries every world-fixed vector through the sensor's rotation. Over a few seconds
 *   that is nearly exact, so the accelerometer is low-passed in the frame the gyro holds still:
 *   there, gravity stands still and the accelerations of walking, reaching or tapping come and go,
 *   so they average out instead of tilting the estimate. The estimate is the direction of that
 *   filtered vector. The filter is a 2nd-order Butterworth low-pass whose delay is tau_s; its
 *   state lives in sensor axes and turns with each gyro step, which is the same thing.
 * - A sample is taken as the average over the period ending at its timestamp, which is what an
 *   oversampling sensor and a block-averaged recording deliver: the gyro sample is that period's
 *   rotation (with the two-sample coning correction for a turning axis), and the accelerometer
 *   sample is gravity as seen half-way through it, so it is turned by the second half.
 * - Gyro bias: where gyro and accelerometer are steady the bias is their mean rate (any constant
 *   offset passes the test, so a large unknown bias is still learned); in motion, the part of
 *   the accelerometer's correction that persists is a bias about the two horizontal axes.
 * - Until the gyro can be trusted (start-up, when its bias is unknown, and after a reading at
 *   full scale, which under-reports the turn) the low-pass is short, and lengthens to tau_s.
 */
#include "postured/estimator.h"

#include <math.h>
#include <string.h>

#include "postured/vec3.h"

/* A step longer than this is a gap (sensor lost, recording cut): restart from the accelerometer. */
#define ESTIMATOR_MAX_STEP_S 1.0
/* Butterworth: the flattest pass band; with natural frequency 2 * DAMPING / tau_s the delay is
 * tau_s. */
#define DAMPING M_SQRT1_2
/* Rest detection compares readings with their means over about this long (VQF's choice). */
#define MEAN_TAU_S 0.5
/* Steady this long is rest, not the pause at a movement's turning point. */
#define REST_MIN_S 1.5
/* A steady rate above this is a slow turn, not bias (MEMS gyros: a few deg/s). */
#define BIAS_MAX_RAD_S (10.0 * RAD_PER_DEG)
/*
 * Bias uncertainty at start-up; how fast the bias may drift (a worn MPU-6050 warms by some
 * 10 degC, at up to 0.16 deg/s per degC); what averaging at rest leaves.
 */
#define BIAS_SIGMA_INIT_RAD_S (2.0 * RAD_PER_DEG)
#define BIAS_DRIFT_RAD2_S3 ((0.2 * RAD_PER_DEG) * (0.2 * RAD_PER_DEG) / 60.0)
#define BIAS_SIGMA_REST_RAD_S (0.02 * RAD_PER_DEG)
/*
 * In motion the correction rate also carries accelerations that did not average out: about
 * 1 deg/s, correlated over about 1 s (BROAD's RMS correction rate is 0.6 deg/s).
 */
#define MOTION_NOISE_RAD2_S ((1.0 * RAD_PER_DEG) * (1.0 * RAD_PER_DEG) * 1.0)
/* The correction reaches the bias through the low-pass's delay: learning faster than a few
 * delays would overshoot. */
#define BIAS_LOOP_DELAYS 4.0
/* Each correction tells nothing about the bias about the vertical: 2 of 3 axes are seen. */
#define AXES_SEEN (2.0 / 3.0)
/* Readings this close to full scale are clipped. */
#define SATURATION_FRACTION 0.98
/*
 * While the gyro is not trusted the low-pass's delay is this short, and then grows by a second
 * per second up to tau_s (x-io Fusion likewise ramps its gain down): at start-up, when only the
 * bias is unknown, at once; after a clipped reading, which leaves the estimate off by an unknown
 * angle, after a second, in which 5 short delays undo it.
 */
#define UNTRUSTED_TAU_S 0.2
#define UNTRUSTED_S 1.0

void estimator_default_settings(struct estimator_settings *s)
{
	s->tau_s = 3.0;
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
	e->bias_var_rad2_s2 = BIAS_SIGMA_INIT_RAD_S * BIAS_SIGMA_INIT_RAD_S;
}

/* Keeps the learned bias: it belongs to the sensor, not to the interrupted motion. */
static void start_from_accel(struct estimator *e, double t_s, const struct imu_sample *imu)
{
	const double *a = imu->accel_m_s2;

	vec3_copy(e->gravity_m_s2, a);
	vec3_copy(e->last_accel_m_s2, a);
	vec3_copy(e->mean_accel_m_s2, a);
	vec3_copy(e->last_gyro_rad_s, imu->gyro_rad_s);
	vec3_copy(e->mean_gyro_rad_s, imu->gyro_rad_s);
	memset(e->gravity_rate_m_s3, 0, sizeof(e->gravity_rate_m_s3));
	if (vec3_norm(a) > 0.0) {
		vec3_copy(e->up, a);
		vec3_normalize(e->up);
	}
	e->last_t_s = t_s;
	e->steady_s = 0.0;
	e->still_s = 0.0;
	e->trusted_s = UNTRUSTED_S;
	e->initialised = true;
}

/*
 * The matrix that carries world-fixed vectors from the sensor axes before a rotation by the
 * rotation vector theta to the axes after it: the rotation by -theta (Rodrigues).
 */
static void step_matrix(const double theta[3], double r[9])
{
	double x = -theta[0], y = -theta[1], z = -theta[2];
	double angle2 = x * x + y * y + z * z;
	double s, c; /* sin(angle) / angle and (1 - cos(angle)) / angle^2 */

	/* Up to 0.5 rad a step (1400 deg/s at 48 Hz) the series is exact to 3e-7: no libm call. */
	if (angle2 < 0.25) {
		s = 1.0 - angle2 / 6.0 * (1.0 - angle2 / 20.0);
		c = 0.5 - angle2 / 24.0 * (1.0 - angle2 / 30.0);
	} else {
		double angle = sqrt(angle2);

		s = sin(angle) / angle;
		c = (1.0 - cos(angle)) / angle2;
	}
	r[0] = 1.0 - c * (y * y + z * z);
	r[1] = c * x * y - s * z;
	r[2] = c * x * z + s * y;
	r[3] = c * x * y + s * z;
	r[4] = 1.0 - c * (x * x + z * z);
	r[5] = c * y * z - s * x;
	r[6] = c * x * z - s * y;
	r[7] = c * y * z + s * x;
	r[8] = 1.0 - c * (x * x + y * y);
}

static void turn(const double r[9], double v[3])
{
	double x = r[0] * v[0] + r[1] * v[1] + r[2] * v[2];
	double y = r[3] * v[0] + r[4] * v[1] + r[5] * v[2];
	double z = r[6] * v[0] + r[7] * v[1] + r[8] * v[2];

	v[0] = x;
	v[1] = y;
	v[2] = z;
}

/* A NaN or an infinity anywhere makes the sum non-finite. */
static bool finite_sample(const struct imu_sample *imu)
{
	const double *a = imu->accel_m_s2, *w = imu->gyro_rad_s;

	return isfinite(a[0] + a[1] + a[2] + w[0] + w[1] + w[2]);
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static bool gyro_saturated(const struct estimator_settings *s, const double gyro_rad_s[3])
{
	double limit = SATURATION_FRACTION * s->gyro_range_rad_s;

	return s->gyro_range_rad_s > 0.0 && (fabs(gyro_rad_s[0]) >= limit ||
					     fabs(gyro_rad_s[1]) >= limit ||
					     fabs(gyro_rad_s[2]) >= limit);
}

/*
 * Rest for bias learning: readings steady around their short-term means, whatever the bias.
 * Still for calibration: steady too, and the bias-free rate small. |accel| is not compared with
 * 1 g: an MPU-6050's accelerometer offset (up to 80 mg) would keep some units from ever
 * calibrating.
 */
static void detect_rest(struct estimator *e, double dt_s, const struct imu_sample *imu,
			bool saturated)
{
	const struct estimator_settings *s = &e->settings;
	const double *w = imu->gyro_rad_s, *a = imu->accel_m_s2;
	double k = dt_s / (MEAN_TAU_S + dt_s);
	double gyro_dev2 = 0.0, accel_dev2 = 0.0, rate2 = 0.0;
	bool slow_mean = true;

	for (int i = 0; i < 3; i++) {
		double dw, da, r = w[i] - e->gyro_bias_rad_s[i];

		e->mean_gyro_rad_s[i] += k * (w[i] - e->mean_gyro_rad_s[i]);
		e->mean_accel_m_s2[i] += k * (a[i] - e->mean_accel_m_s2[i]);
		dw = w[i] - e->mean_gyro_rad_s[i];
		da = a[i] - e->mean_accel_m_s2[i];
		gyro_dev2 += dw * dw;
		accel_dev2 += da * da;
		rate2 += r * r;
		slow_mean &= fabs(e->mean_gyro_rad_s[i]) < BIAS_MAX_RAD_S;
	}
	if (!saturated && slow_mean && gyro_dev2 < s->rest_gyro_rad_s * s->rest_gyro_rad_s &&
	    accel_dev2 < s->rest_accel_m_s2 * s->rest_accel_m_s2)
		e->steady_s += dt_s;
	else
		e->steady_s = 0.0;
	if (!saturated && rate2 < s->rest_gyro_rad_s * s->rest_gyro_rad_s &&
	    accel_dev2 < s->rest_accel_m_s2 * s->rest_accel_m_s2)
		e->still_s += dt_s;
	else
		e->still_s = 0.0;
}

/* At rest the gyro reads its bias: average it, and trust the result. */
static void learn_bias_at_rest(struct estimator *e, double dt_s, const double gyro_rad_s[3])
{
	double k = dt_s / (e->settings.bias_tau_s + dt_s);
	double rest_var = BIAS_SIGMA_REST_RAD_S * BIAS_SIGMA_REST_RAD_S;

	for (int i = 0; i < 3; i++)
		e->gyro_bias_rad_s[i] += k * (gyro_rad_s[i] - e->gyro_bias_rad_s[i]);
	e->bias_var_rad2_s2 += k * (rest_var - e->bias_var_rad2_s2);
}

/*
 * In motion a bias error turns the gyro frame, and the accelerometer keeps turning it back: the
 * correction rate (rotation vector correction_rad over dt_s, horizontal) measures the bias about
 * the horizontal axes. A Kalman gain weighs it against what is known; stepping along the
 * correction itself leaves the bias about the vertical alone, which gravity cannot see.
 */
static void learn_bias_in_motion(struct estimator *e, double dt_s, const double correction_rad[3])
{
	double noise = MOTION_NOISE_RAD2_S / dt_s;
	double var = e->bias_var_rad2_s2;
	double gain = var / (var + noise);
	double fastest = dt_s / (BIAS_LOOP_DELAYS * e->settings.tau_s);
	double after, step;

	if (gain > fastest)
		gain = fastest;
	/* What the gain used leaves (Joseph form: the gain may be capped). */
	after = (1.0 - gain) * (1.0 - gain) * var + gain * gain * noise;
	e->bias_var_rad2_s2 = var - AXES_SEEN * (var - after);
	step = gain / dt_s;
	for (int i = 0; i < 3; i++)
		e->gyro_bias_rad_s[i] = clamp(e->gyro_bias_rad_s[i] + step * correction_rad[i],
					      -BIAS_MAX_RAD_S, BIAS_MAX_RAD_S);
}

/*
 * Carries the filter state through the period's rotation: the gyro sample less the bias, plus
 * the coning term of an axis that turned between samples. Returns the rotation vector.
 */
static void follow_gyro(struct estimator *e, const double w[3], double dt_s, double theta[3])
{
	double rate[3], prev[3], r[9], coning = dt_s * dt_s / 12.0;

	for (int i = 0; i < 3; i++) {
		rate[i] = w[i] - e->gyro_bias_rad_s[i];
		prev[i] = e->last_gyro_rad_s[i] - e->gyro_bias_rad_s[i];
	}
	vec3_cross(prev, rate, theta);
	for (int i = 0; i < 3; i++)
		theta[i] = rate[i] * dt_s + theta[i] * coning;
	vec3_copy(e->last_gyro_rad_s, w);
	step_matrix(theta, r);
	turn(r, e->gravity_m_s2);
	turn(r, e->gravity_rate_m_s3);
	turn(r, e->last_accel_m_s2);
}

/* The accelerometer saw gravity half-way through the period: turn it by the second half. */
static void accel_at_end(const double theta[3], const double accel[3], double a[3])
{
	double half[3], ha[3], hha[3];

	for (int i = 0; i < 3; i++)
		half[i] = 0.5 * theta[i];
	vec3_cross(half, accel, ha);
	vec3_cross(half, ha, hha);
	for (int i = 0; i < 3; i++)
		a[i] = accel[i] - ha[i] + 0.5 * hha[i];
}

/* One step of the low-pass, discretised by the trapezoidal rule: stable for any step and tau. */
static void low_pass(struct estimator *e, const double a[3], double dt_s, double tau_s)
{
	double h = 0.5 * dt_s;
	double wn_h = 2.0 * DAMPING / tau_s * h;
	double zeta_h = 2.0 * DAMPING * wn_h;
	double inv_den = 1.0 / (1.0 + zeta_h + wn_h * wn_h);
	double num = 1.0 - zeta_h - wn_h * wn_h;
	double drive = wn_h * wn_h / h;

	for (int i = 0; i < 3; i++) {
		double v = e->gravity_rate_m_s3[i];
		double v_new = (v * num + drive * (a[i] + e->last_accel_m_s2[i] -
						   2.0 * e->gravity_m_s2[i])) * inv_den;

		e->gravity_m_s2[i] += h * (v + v_new);
		e->gravity_rate_m_s3[i] = v_new;
	}
	vec3_copy(e->last_accel_m_s2, a);
}

void estimator_update(struct estimator *e, double t_s, const struct imu_sample *imu)
{
	const struct estimator_settings *s = &e->settings;
	double dt_s, theta[3], a[3], predicted[3], tau_s, norm;
	bool saturated, rest, trusted;

	if (!finite_sample(imu))
		return;
	if (!e->initialised) {
		start_from_accel(e, t_s, imu);
		return;
	}
	dt_s = t_s - e->last_t_s;
	if (!(dt_s > 0.0))
		return;
	if (dt_s > ESTIMATOR_MAX_STEP_S) {
		start_from_accel(e, t_s, imu);
		return;
	}
	e->last_t_s = t_s;

	saturated = gyro_saturated(s, imu->gyro_rad_s);
	detect_rest(e, dt_s, imu, saturated);
	rest = e->steady_s >= REST_MIN_S;
	if (rest)
		learn_bias_at_rest(e, dt_s, imu->gyro_rad_s);
	else
		e->bias_var_rad2_s2 += BIAS_DRIFT_RAD2_S3 * dt_s;

	follow_gyro(e, imu->gyro_rad_s, dt_s, theta);
	vec3_copy(predicted, e->gravity_m_s2);
	accel_at_end(theta, imu->accel_m_s2, a);

	e->trusted_s = saturated ? 0.0 : e->trusted_s + dt_s;
	tau_s = UNTRUSTED_TAU_S + e->trusted_s - UNTRUSTED_S;
	trusted = tau_s >= s->tau_s;
	low_pass(e, a, dt_s, trusted ? s->tau_s : clamp(tau_s, UNTRUSTED_TAU_S, s->tau_s));

	norm = vec3_norm(e->gravity_m_s2);
	if (norm > 0.0) {
		double correction[3], inv_norm = 1.0 / norm;

		for (int i = 0; i < 3; i++)
			e->up[i] = e->gravity_m_s2[i] * inv_norm;
		if (!rest && trusted && vec3_normalize(predicted) > 0.0) {
			vec3_cross(predicted, e->up, correction);
			learn_bias_in_motion(e, dt_s, correction);
		}
	}
}

bool estimator_at_rest_for(const struct estimator *e, double still_s)
{
	return e->initialised && e->still_s >= still_s;
}

void estimator_get_bias(const struct estimator *e, double bias_rad_s[3], double *sigma_rad_s)
{
	vec3_copy(bias_rad_s, e->gyro_bias_rad_s);
	*sigma_rad_s = sqrt(e->bias_var_rad2_s2);
}

void estimator_set_bias(struct estimator *e, const double bias_rad_s[3], double sigma_rad_s)
{
	for (int i = 0; i < 3; i++)
		e->gyro_bias_rad_s[i] = clamp(bias_rad_s[i], -BIAS_MAX_RAD_S, BIAS_MAX_RAD_S);
	e->bias_var_rad2_s2 = sigma_rad_s * sigma_rad_s;
}
