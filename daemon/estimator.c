/* SPDX-License-Identifier: GPL-2.0-or-later */
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
 *   offset passes the test, so a large unknown bias is still learned); in motion, a Kalman filter
 *   reads it from the accelerometer's correction, as VQF does. A bias error turns the gyro frame,
 *   and the correction is that turn seen through the low-pass: through the rotations of the last
 *   tau_s or so, averaged. The filter keeps that average (VQF's low-passed R, here carried in
 *   sensor axes like the gravity state) as its measurement matrix, so a sensor that turns faster
 *   than 1 / tau_s does not teach it a bias turned sideways. It runs every BIAS_STEP_S on what
 *   the samples gathered, which costs a fifth of running it on each sample.
 * - Until the gyro can be trusted (start-up, when its bias is unknown, and after a reading at
 *   full scale, which under-reports the turn) the low-pass is short, and lengthens to tau_s; an
 *   uncertain bias keeps it short too, since the estimate lags by the bias error times the delay.
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
 * Bias uncertainty at start-up (an MPU-6050's zero-rate offset may be up to 20 deg/s; 4 deg/s
 * learns a 3 deg/s bias while moving and still costs nothing without one); how fast the bias
 * may drift (a worn MPU-6050 warms by some 10 degC, at up to 0.16 deg/s per degC); what
 * averaging at rest leaves.
 */
#define BIAS_SIGMA_INIT_RAD_S (4.0 * RAD_PER_DEG)
#define BIAS_DRIFT_RAD2_S3 ((0.2 * RAD_PER_DEG) * (0.2 * RAD_PER_DEG) / 60.0)
#define BIAS_SIGMA_REST_RAD_S (0.02 * RAD_PER_DEG)
/*
 * In motion the correction rate also carries accelerations that did not average out: about
 * 0.7 deg/s, correlated over about 1 s (BROAD's RMS correction rate is 0.6 deg/s).
 */
#define MOTION_NOISE_RAD2_S ((0.7 * RAD_PER_DEG) * (0.7 * RAD_PER_DEG) * 1.0)
/*
 * A knock or a sprint start turns the correction fast for a moment; learned as a bias it would
 * tilt the estimate for long after. Clipped to this (VQF: 2 deg/s), it moves the bias little.
 */
#define INNOVATION_MAX_RAD_S (2.0 * RAD_PER_DEG)
/*
 * The bias moves over minutes: a step every 0.1 s learns it almost as well as one per sample
 * (BROAD's moving start: 1.35 deg against 1.27) at a fifth of the cost; 0.15 s gives 1.43.
 */
#define BIAS_STEP_S 0.1
/*
 * The lag a bias error of one standard deviation may cause: the low-pass's delay is held to
 * this over the bias sigma (0.75 s at the start-up sigma, tau_s once sigma is 1 deg/s). A
 * shorter delay lets more acceleration through; BROAD's moving start is best at about 3 deg.
 */
#define BIAS_LAG_RAD (3.0 * RAD_PER_DEG)
/* Readings this close to full scale are clipped. */
#define SATURATION_FRACTION 0.98
/*
 * While the gyro is not trusted the low-pass's delay is this short, and then grows by a second
 * per second up to tau_s, or the shorter delay an uncertain bias allows (x-io Fusion likewise
 * ramps its gain down): at start-up, when only the bias is unknown, at once; after a clipped
 * reading, which leaves the estimate off by an unknown angle, after a second, in which 5 short
 * delays undo it.
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
	estimator_set_bias(e, e->gyro_bias_rad_s, BIAS_SIGMA_INIT_RAD_S);
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
	e->trusted_s = UNTRUSTED_S;
	/* The low-pass has no past: nothing has turned a bias error yet. */
	memset(e->bias_seen, 0, sizeof(e->bias_seen));
	for (int i = 0; i < 9; i += 4)
		e->bias_seen[0][i] = e->bias_seen[1][i] = 1.0;
	vec3_copy(e->bias_lp_rad_s[0], e->gyro_bias_rad_s);
	vec3_copy(e->bias_lp_rad_s[1], e->gyro_bias_rad_s);
	memset(e->step_theta_rad, 0, sizeof(e->step_theta_rad));
	memset(e->step_correction_rad, 0, sizeof(e->step_correction_rad));
	e->step_s = e->step_moving_s = e->step_rest_s = 0.0;
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

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static bool gyro_saturated(const struct estimator_settings *s, const double gyro_rad_s[3])
{
	double limit = SATURATION_FRACTION * s->gyro_range_rad_s;

	return s->gyro_range_rad_s > 0.0 &&
	       (fabs(gyro_rad_s[0]) >= limit || fabs(gyro_rad_s[1]) >= limit ||
		fabs(gyro_rad_s[2]) >= limit);
}

/*
 * Rest for bias learning: readings steady around their short-term means, whatever the bias.
 * |accel| is not compared with 1 g: an MPU-6050's accelerometer offset (up to 80 mg) would keep
 * some units from ever being at rest.
 */
static void detect_rest(struct estimator *e, double dt_s, const struct imu_sample *imu,
			bool saturated)
{
	const struct estimator_settings *s = &e->settings;
	const double *w = imu->gyro_rad_s, *a = imu->accel_m_s2;
	double k = dt_s / (MEAN_TAU_S + dt_s);
	double gyro_dev2 = 0.0, accel_dev2 = 0.0;
	bool slow_mean = true;

	for (int i = 0; i < 3; i++) {
		double dw, da;

		e->mean_gyro_rad_s[i] += k * (w[i] - e->mean_gyro_rad_s[i]);
		e->mean_accel_m_s2[i] += k * (a[i] - e->mean_accel_m_s2[i]);
		dw = w[i] - e->mean_gyro_rad_s[i];
		da = a[i] - e->mean_accel_m_s2[i];
		gyro_dev2 += dw * dw;
		accel_dev2 += da * da;
		slow_mean &= fabs(e->mean_gyro_rad_s[i]) < BIAS_MAX_RAD_S;
	}
	if (!saturated && slow_mean && gyro_dev2 < s->rest_gyro_rad_s * s->rest_gyro_rad_s &&
	    accel_dev2 < s->rest_accel_m_s2 * s->rest_accel_m_s2)
		e->steady_s += dt_s;
	else
		e->steady_s = 0.0;
}

/* At rest the gyro reads its bias: average it (its covariance follows at the bias step). */
static void learn_bias_at_rest(struct estimator *e, double dt_s, const double gyro_rad_s[3])
{
	double k = dt_s / (e->settings.bias_tau_s + dt_s);

	for (int i = 0; i < 3; i++)
		e->gyro_bias_rad_s[i] += k * (gyro_rad_s[i] - e->gyro_bias_rad_s[i]);
	e->step_rest_s += dt_s;
}

/*
 * One measurement row h (the bias seen through the low-pass, one sensor axis of it) with noise
 * w: a scalar Kalman update of the step db and of the covariance p (symmetric, stored as
 * xx yy zz xy xz yz). innovation is measured against the bias before the step.
 */
static void kalman_row(double p[6], const double h[3], double innovation, double w, double db[3])
{
	double ph[3], inv_s, residual, g[3];

	ph[0] = p[0] * h[0] + p[3] * h[1] + p[4] * h[2];
	ph[1] = p[3] * h[0] + p[1] * h[1] + p[5] * h[2];
	ph[2] = p[4] * h[0] + p[5] * h[1] + p[2] * h[2];
	inv_s = 1.0 / (vec3_dot(h, ph) + w);
	residual = (innovation - vec3_dot(h, db)) * inv_s;
	for (int i = 0; i < 3; i++) {
		g[i] = ph[i] * inv_s;
		db[i] += ph[i] * residual;
	}
	p[0] -= g[0] * ph[0];
	p[1] -= g[1] * ph[1];
	p[2] -= g[2] * ph[2];
	p[3] -= g[0] * ph[1];
	p[4] -= g[0] * ph[2];
	p[5] -= g[1] * ph[2];
}

/*
 * In motion the correction rate (horizontal) measures H b, H = (I - up up^T) M, where M is the
 * low-passed rotation from a bias error to the correction (bias_seen). The estimate changed
 * over the low-pass too, and the correction still holds what its earlier values left: the
 * innovation is the correction rate + (the estimate seen through the low-pass) - M (the estimate
 * now), as in VQF, clipped against knocks. The rows of H, each with noise w, are taken one at a
 * time: for a diagonal noise that is the same update as all at once, with no matrix inverse.
 */
static void learn_bias_in_motion(struct estimator *e)
{
	const double *u = e->up, *m = e->bias_seen[1], *lp = e->bias_lp_rad_s[1];
	double *b = e->gyro_bias_rad_s;
	double w = MOTION_NOISE_RAD2_S / e->step_moving_s, per_s = 1.0 / e->step_moving_s;
	double innovation[3], um[3], db[3] = { 0.0, 0.0, 0.0 }, along;

	for (int i = 0; i < 3; i++)
		innovation[i] = e->step_correction_rad[i] * per_s + lp[i] -
				(m[i] * b[0] + m[3 + i] * b[1] + m[6 + i] * b[2]);
	along = vec3_dot(u, innovation);
	for (int j = 0; j < 3; j++)
		um[j] = vec3_dot(u, m + 3 * j);
	for (int i = 0; i < 3; i++) {
		double h[3] = { m[i] - u[i] * um[0], m[3 + i] - u[i] * um[1],
				m[6 + i] - u[i] * um[2] };
		double y = clamp(innovation[i] - along * u[i], -INNOVATION_MAX_RAD_S,
				 INNOVATION_MAX_RAD_S);

		kalman_row(e->bias_cov_rad2_s2, h, y, w, db);
	}
	for (int j = 0; j < 3; j++)
		b[j] = clamp(b[j] + db[j], -BIAS_MAX_RAD_S, BIAS_MAX_RAD_S);
}

/*
 * The low-pass of bias_seen and bias_lp_rad_s: two first-order stages of half the delay each,
 * near enough to the Butterworth's response, and cheap to carry through the step's rotation r
 * (scaled by what each stage keeps) in the same product.
 */
static void bias_low_pass(struct estimator *e, const double r[9], double tau_s)
{
	double k = e->step_s / (0.5 * tau_s + e->step_s), kept[9];
	double *first = e->bias_seen[0], *second = e->bias_seen[1];

	for (int i = 0; i < 9; i++)
		kept[i] = (1.0 - k) * r[i];
	for (int j = 0; j < 3; j++) {
		turn(kept, first + 3 * j);
		first[4 * j] += k;
		turn(kept, second + 3 * j);
	}
	turn(kept, e->bias_lp_rad_s[0]);
	turn(kept, e->bias_lp_rad_s[1]);
	for (int i = 0; i < 9; i++)
		second[i] += k * first[i];
	for (int i = 0; i < 3; i++) {
		e->bias_lp_rad_s[0][i] += k * e->gyro_bias_rad_s[i];
		e->bias_lp_rad_s[1][i] += k * e->bias_lp_rad_s[0][i];
	}
}

/*
 * Every BIAS_STEP_S: carries the bias's low-pass through the step's rotation, lets the
 * covariance drift or settle at rest, learns from the step's correction, and sets the delay
 * the new covariance allows.
 */
static void bias_step(struct estimator *e, double tau_s)
{
	double r[9], *p = e->bias_cov_rad2_s2, sigma;

	step_matrix(e->step_theta_rad, r);
	bias_low_pass(e, r, tau_s);
	if (e->step_rest_s > 0.0) {
		/* Averaging leaves (1 - k) of the error, so (1 - k)^2 of the variance. */
		double k = e->step_rest_s / (e->settings.bias_tau_s + e->step_rest_s);
		double keep = (1.0 - k) * (1.0 - k);
		double settled = (1.0 - keep) * BIAS_SIGMA_REST_RAD_S * BIAS_SIGMA_REST_RAD_S;

		for (int i = 0; i < 6; i++)
			p[i] = keep * p[i] + (i < 3) * settled;
	}
	for (int i = 0; i < 3; i++)
		p[i] += BIAS_DRIFT_RAD2_S3 * (e->step_s - e->step_rest_s);
	if (e->step_moving_s > 0.0)
		learn_bias_in_motion(e);

	sigma = sqrt((p[0] + p[1] + p[2]) / 3.0);
	e->bias_tau_limit_s = clamp(BIAS_LAG_RAD / sigma, UNTRUSTED_TAU_S, e->settings.tau_s);
	memset(e->step_theta_rad, 0, sizeof(e->step_theta_rad));
	memset(e->step_correction_rad, 0, sizeof(e->step_correction_rad));
	e->step_s = e->step_moving_s = e->step_rest_s = 0.0;
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
	for (int i = 0; i < 3; i++) {
		theta[i] = rate[i] * dt_s + theta[i] * coning;
		e->step_theta_rad[i] += theta[i];
	}
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
		double v_new =
		    (v * num + drive * (a[i] + e->last_accel_m_s2[i] - 2.0 * e->gravity_m_s2[i])) *
		    inv_den;

		e->gravity_m_s2[i] += h * (v + v_new);
		e->gravity_rate_m_s3[i] = v_new;
	}
	vec3_copy(e->last_accel_m_s2, a);
}

/*
 * accel_ok false: the accelerometer shows the motor's vibration, not gravity. The gyro alone
 * carries the estimate (over a buzz of a second or two its error is a fraction of a degree),
 * the low-pass keeps the state it had, and neither rest nor the correction teaches the bias.
 */
static void update(struct estimator *e, double t_s, const struct imu_sample *imu, bool accel_ok)
{
	const struct estimator_settings *s = &e->settings;
	double dt_s, theta[3], a[3], predicted[3], tau_s, norm;
	bool saturated, rest, trusted;

	/* One glitch (1e308 from a bus error) would stay in the filter's state for good. */
	if (!isfinite(t_s) || !imu_sample_plausible(imu))
		return;
	/* A start from a vibrating reading would begin off by the vibration: wait for a quiet one.
	 */
	if (!e->initialised) {
		if (accel_ok)
			start_from_accel(e, t_s, imu);
		return;
	}
	dt_s = t_s - e->last_t_s;
	if (!(dt_s > 0.0))
		return;
	if (dt_s > ESTIMATOR_MAX_STEP_S) {
		if (accel_ok)
			start_from_accel(e, t_s, imu);
		return;
	}
	e->last_t_s = t_s;

	saturated = gyro_saturated(s, imu->gyro_rad_s);
	/* The buzz's readings must not enter the means rest is judged by, nor the bias; whether
	 * the wearer was at rest is judged again once it is over. */
	if (accel_ok)
		detect_rest(e, dt_s, imu, saturated);
	rest = accel_ok && e->steady_s >= REST_MIN_S;
	if (rest)
		learn_bias_at_rest(e, dt_s, imu->gyro_rad_s);

	follow_gyro(e, imu->gyro_rad_s, dt_s, theta);
	vec3_copy(predicted, e->gravity_m_s2);

	e->trusted_s = saturated ? 0.0 : e->trusted_s + dt_s;
	tau_s = UNTRUSTED_TAU_S + e->trusted_s - UNTRUSTED_S;
	trusted = tau_s >= e->bias_tau_limit_s;
	tau_s = trusted ? e->bias_tau_limit_s : clamp(tau_s, UNTRUSTED_TAU_S, s->tau_s);
	if (accel_ok) {
		accel_at_end(theta, imu->accel_m_s2, a);
		low_pass(e, a, dt_s, tau_s);
	} else if (e->steady_s >= REST_MIN_S) {
		/*
		 * At rest the low-pass's rate is the slow turn a gyro-bias error gives the gyro's
		 * frame, which it was following: it goes on. In motion it is the pull of the
		 * accelerations it was averaging, which would swing the estimate off once readings
		 * return: it is dropped. (BROAD, moving, a 1.15 s pause every 10 s: 0.87 deg RMSE,
		 * 1.03 with the rate kept as it was, 0.70 without pauses; a breathing wearer, the
		 * bias learned at rest swaying with the breath: 0.83 deg at worst, 1.07 kept.)
		 */
		for (int i = 0; i < 3; i++)
			e->gravity_m_s2[i] += e->gravity_rate_m_s3[i] * dt_s;
	} else {
		memset(e->gravity_rate_m_s3, 0, sizeof(e->gravity_rate_m_s3));
	}

	norm = vec3_norm(e->gravity_m_s2);
	if (norm > 0.0) {
		double correction[3], inv_norm = 1.0 / norm;

		for (int i = 0; i < 3; i++)
			e->up[i] = e->gravity_m_s2[i] * inv_norm;
		if (accel_ok && !rest && trusted && vec3_normalize(predicted) > 0.0) {
			vec3_cross(predicted, e->up, correction);
			for (int i = 0; i < 3; i++)
				e->step_correction_rad[i] += correction[i];
			e->step_moving_s += dt_s;
		}
	}
	e->step_s += dt_s;
	if (e->step_s >= BIAS_STEP_S)
		bias_step(e, tau_s);
}

void estimator_update(struct estimator *e, double t_s, const struct imu_sample *imu)
{
	update(e, t_s, imu, true);
}

void estimator_update_gyro(struct estimator *e, double t_s, const struct imu_sample *imu)
{
	update(e, t_s, imu, false);
}

void estimator_set_settings(struct estimator *e, const struct estimator_settings *s)
{
	e->settings = *s;
}

const double *estimator_up(const struct estimator *e)
{
	return e->up;
}

bool estimator_started(const struct estimator *e)
{
	return e->initialised;
}

void estimator_get_bias(const struct estimator *e, double bias_rad_s[3], double *sigma_rad_s)
{
	const double *p = e->bias_cov_rad2_s2;

	vec3_copy(bias_rad_s, e->gyro_bias_rad_s);
	*sigma_rad_s = sqrt(fmax(p[0], fmax(p[1], p[2])));
}

void estimator_set_bias(struct estimator *e, const double bias_rad_s[3], double sigma_rad_s)
{
	for (int i = 0; i < 3; i++) {
		e->gyro_bias_rad_s[i] = clamp(bias_rad_s[i], -BIAS_MAX_RAD_S, BIAS_MAX_RAD_S);
		e->bias_lp_rad_s[0][i] = e->bias_lp_rad_s[1][i] = e->gyro_bias_rad_s[i];
		e->bias_cov_rad2_s2[i] = sigma_rad_s * sigma_rad_s;
		e->bias_cov_rad2_s2[3 + i] = 0.0;
	}
	e->bias_tau_limit_s = clamp(BIAS_LAG_RAD / sigma_rad_s, UNTRUSTED_TAU_S, e->settings.tau_s);
}
