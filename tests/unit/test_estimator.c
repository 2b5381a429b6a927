/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The estimator on synthetic motions with exact truth. A simulated sensor turns (and moves)
 * with a smooth body rate, integrated at 1 kHz; each sample is the average of the gyro and of
 * the specific force over its period, as an oversampling sensor delivers them, and the truth
 * is the up vector at the sample's timestamp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "postured/estimator.h"
#include "postured/vec3.h"

#define RATE_HZ 50.0
#define SUBSTEPS 20

/* What the sensor does at time t: body rate (sensor axes) and linear acceleration (world). */
typedef void (*motion_fn)(double t_s, const void *ctx, double rate_rad_s[3],
			  double accel_world_m_s2[3]);

struct sim {
	double t_s;
	double q[4];	      /* sensor to world, w x y z */
	double bias_rad_s[3]; /* added to every gyro reading */
	double range_rad_s;   /* gyro readings clip here; 0: no limit */
	motion_fn motion;
	const void *ctx;
};

static void sim_start(struct sim *s, double pitch_deg, double roll_deg, motion_fn motion,
		      const void *ctx)
{
	double p = 0.5 * pitch_deg * RAD_PER_DEG, r = 0.5 * roll_deg * RAD_PER_DEG;

	*s = (struct sim){ .motion = motion, .ctx = ctx };
	/* roll about x, then pitch about y, both in sensor axes: q = q_x(roll) * q_y(pitch) */
	s->q[0] = cos(r) * cos(p);
	s->q[1] = sin(r) * cos(p);
	s->q[2] = cos(r) * sin(p);
	s->q[3] = sin(r) * sin(p);
}

/* World up (0, 0, 1) in sensor axes: the third row of R(q). */
static void sim_up(const struct sim *s, double up[3])
{
	const double *q = s->q;

	up[0] = 2.0 * (q[1] * q[3] - q[0] * q[2]);
	up[1] = 2.0 * (q[2] * q[3] + q[0] * q[1]);
	up[2] = q[0] * q[0] - q[1] * q[1] - q[2] * q[2] + q[3] * q[3];
}

/* A world vector in sensor axes: R(q)^T v. */
static void sim_to_sensor(const struct sim *s, const double v[3], double out[3])
{
	const double *q = s->q;
	double w = q[0], x = q[1], y = q[2], z = q[3];

	out[0] = (1 - 2 * (y * y + z * z)) * v[0] + 2 * (x * y + w * z) * v[1] +
		 2 * (x * z - w * y) * v[2];
	out[1] = 2 * (x * y - w * z) * v[0] + (1 - 2 * (x * x + z * z)) * v[1] +
		 2 * (y * z + w * x) * v[2];
	out[2] = 2 * (x * z + w * y) * v[0] + 2 * (y * z - w * x) * v[1] +
		 (1 - 2 * (x * x + y * y)) * v[2];
}

/* Advances by dt_s and returns the sample of that period. */
/* Turns the sensor by the body rate w for h seconds: q = q * exp(w h / 2). */
static void sim_turn(struct sim *s, const double w[3], double h)
{
	double *q = s->q, dq[4], n, rate = vec3_norm(w), c, sn;

	c = cos(0.5 * rate * h);
	sn = rate > 0.0 ? sin(0.5 * rate * h) / rate : 0.0;
	dq[0] = q[0] * c - (q[1] * w[0] + q[2] * w[1] + q[3] * w[2]) * sn;
	dq[1] = q[1] * c + (q[0] * w[0] + q[2] * w[2] - q[3] * w[1]) * sn;
	dq[2] = q[2] * c + (q[0] * w[1] + q[3] * w[0] - q[1] * w[2]) * sn;
	dq[3] = q[3] * c + (q[0] * w[2] + q[1] * w[1] - q[2] * w[0]) * sn;
	n = sqrt(dq[0] * dq[0] + dq[1] * dq[1] + dq[2] * dq[2] + dq[3] * dq[3]);
	for (int i = 0; i < 4; i++)
		q[i] = dq[i] / n;
}

/* Advances by dt_s and returns the sample of that period. */
static void sim_sample(struct sim *s, double dt_s, struct imu_sample *out)
{
	double h = dt_s / SUBSTEPS;

	*out = (struct imu_sample){ 0 };
	for (int k = 0; k < SUBSTEPS; k++) {
		double w[3] = { 0 }, aw[3] = { 0 }, f[3];

		if (s->motion)
			s->motion(s->t_s + (k + 0.5) * h, s->ctx, w, aw);
		/* the specific force the accelerometer feels, at the middle of the substep */
		sim_turn(s, w, 0.5 * h);
		aw[2] += STANDARD_GRAVITY_M_S2;
		sim_to_sensor(s, aw, f);
		sim_turn(s, w, 0.5 * h);
		for (int i = 0; i < 3; i++) {
			out->accel_m_s2[i] += f[i] / SUBSTEPS;
			out->gyro_rad_s[i] += w[i] / SUBSTEPS;
		}
	}
	for (int i = 0; i < 3; i++) {
		out->gyro_rad_s[i] += s->bias_rad_s[i];
		if (s->range_rad_s > 0.0)
			out->gyro_rad_s[i] =
			    fmax(-s->range_rad_s, fmin(s->range_rad_s, out->gyro_rad_s[i]));
	}
	s->t_s += dt_s;
}

static void make(struct estimator *e)
{
	struct estimator_settings s;

	estimator_default_settings(&s);
	estimator_init(e, &s);
}

static double error_deg(const struct estimator *e, const struct sim *s)
{
	double truth[3], c[3];

	sim_up(s, truth);
	vec3_cross(e->up, truth, c);
	return atan2(vec3_norm(c), vec3_dot(e->up, truth)) * DEG_PER_RAD;
}

/* Runs duration_s at rate_hz; returns the largest error after skip_s of it. */
static double run(struct estimator *e, struct sim *s, double duration_s, double rate_hz,
		  double skip_s)
{
	double worst = 0.0, start = s->t_s;
	struct imu_sample imu;

	while (s->t_s < start + duration_s - 1e-9) {
		sim_sample(s, 1.0 / rate_hz, &imu);
		estimator_update(e, s->t_s, &imu);
		if (s->t_s - start >= skip_s)
			worst = fmax(worst, error_deg(e, s));
	}
	return worst;
}

struct rates {
	double w_rad_s[3];
	double from_s, to_s;
};

static void constant_rate(double t_s, const void *ctx, double w[3], double aw[3])
{
	const struct rates *r = ctx;

	(void)aw;
	if (t_s >= r->from_s && t_s < r->to_s)
		vec3_copy(w, r->w_rad_s);
}

/* Tumbling: all three axes turn at once, with rates that change, up to about 200 deg/s. */
static void tumbling(double t_s, const void *ctx, double w[3], double aw[3])
{
	(void)ctx;
	(void)aw;
	if (t_s < 1.0)
		return;
	t_s -= 1.0;
	w[0] = 2.0 * sin(1.3 * t_s);
	w[1] = 3.0 * sin(0.7 * t_s + 1.0);
	w[2] = 1.5 * cos(2.1 * t_s);
}

/*
 * Swaying as a wearer does: roll and pitch within +-20 deg (periods 13 s and 9 s), heading
 * within +-11 deg; the body rates of those Euler angles (z, then y, then x).
 */
static void swaying(double t_s, const void *ctx, double w[3], double aw[3])
{
	double a = 2.0 * M_PI / 13.0, b = 2.0 * M_PI / 9.0;
	double roll = 0.35 * sin(a * t_s), pitch = 0.35 * sin(b * t_s);
	double roll_rate = 0.35 * a * cos(a * t_s), pitch_rate = 0.35 * b * cos(b * t_s);
	double yaw_rate = 0.1 * cos(0.5 * t_s);

	(void)ctx;
	(void)aw;
	w[0] = roll_rate - yaw_rate * sin(pitch);
	w[1] = pitch_rate * cos(roll) + yaw_rate * cos(pitch) * sin(roll);
	w[2] = -pitch_rate * sin(roll) + yaw_rate * cos(pitch) * cos(roll);
}

struct push {
	double from_s, to_s;
	double accel_m_s2; /* along world x */
};

static void pushed(double t_s, const void *ctx, double w[3], double aw[3])
{
	const struct push *p = ctx;

	(void)w;
	if (t_s >= p->from_s && t_s < p->to_s)
		aw[0] = p->accel_m_s2;
}

static void static_tilt_is_found_and_held(void **state)
{
	struct estimator e;
	struct sim s;

	(void)state;
	make(&e);
	sim_start(&s, 30.0, -20.0, NULL, NULL);
	/* From the first sample on: the accelerometer alone says where up is. */
	assert_true(run(&e, &s, 10.0, RATE_HZ, 0.0) < 1e-6);
}

/* A full turn a second about a horizontal axis, for 6 s: the gyro carries the estimate. */
static void constant_rate_rotation_is_tracked(void **state)
{
	struct rates r = { { 0.0, 360.0 * RAD_PER_DEG, 0.0 }, 1.0, 10.0 };
	struct estimator e;
	struct sim s;
	double worst;

	(void)state;
	make(&e);
	sim_start(&s, 0.0, 0.0, constant_rate, &r);
	worst = run(&e, &s, 6.0, RATE_HZ, 0.0);
	assert_true(worst < 0.01);
}

/* All three axes at once: the coning correction and the half-period turn of the accelerometer. */
static void tumbling_in_three_axes_is_tracked(void **state)
{
	struct estimator e;
	struct sim s;
	double worst;

	(void)state;
	make(&e);
	sim_start(&s, 10.0, 5.0, tumbling, NULL);
	worst = run(&e, &s, 30.0, RATE_HZ, 0.0);
	assert_true(worst < 0.01);
}

/*
 * A constant bias of 3 deg/s on every axis (an MPU-6050 may have that much) is learned at rest.
 * Until it is (1.5 s to call it rest, then averaging over bias_tau_s) it turns the gyro frame by
 * 4.2 deg/s about the horizontal: the estimate leans by a few degrees, then comes back.
 */
static void gyro_bias_is_learned_at_rest(void **state)
{
	struct estimator e;
	struct sim s;

	(void)state;
	make(&e);
	sim_start(&s, 10.0, 0.0, NULL, NULL);
	for (int i = 0; i < 3; i++)
		s.bias_rad_s[i] = 3.0 * RAD_PER_DEG;
	assert_true(run(&e, &s, 10.0, RATE_HZ, 0.0) < 6.5);
	assert_true(run(&e, &s, 10.0, RATE_HZ, 0.0) < 0.5);
	assert_true(run(&e, &s, 10.0, RATE_HZ, 0.0) < 0.01);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(e.gyro_bias_rad_s[i] - 3.0 * RAD_PER_DEG) < 0.001 * RAD_PER_DEG);
}

/*
 * While the wearer keeps moving there is no rest: the bias about the horizontal axes (x and y
 * here) is learned from gravity alone. The bias about z stays unknown while z is near vertical;
 * when the sway tilts z by 20 deg its 3 deg/s turns the frame by 1 deg/s: about 3 deg of lean.
 */
static void gyro_bias_is_learned_in_motion(void **state)
{
	struct estimator e;
	struct sim s;

	(void)state;
	make(&e);
	sim_start(&s, 0.0, 0.0, swaying, NULL);
	for (int i = 0; i < 3; i++)
		s.bias_rad_s[i] = 3.0 * RAD_PER_DEG;
	run(&e, &s, 60.0, RATE_HZ, 0.0);
	assert_true(run(&e, &s, 60.0, RATE_HZ, 0.0) < 4.5);
	assert_true(fabs(e.gyro_bias_rad_s[0] - 3.0 * RAD_PER_DEG) < 0.2 * RAD_PER_DEG);
	assert_true(fabs(e.gyro_bias_rad_s[1] - 3.0 * RAD_PER_DEG) < 0.2 * RAD_PER_DEG);
}

/*
 * Put on while turning (issue 7): no rest to learn a 3 deg/s bias on every axis, and the sensor,
 * tilted 30 deg, spins at 60 deg/s about its own z axis, faster than the 3 s low-pass can follow,
 * so the accelerometer's correction points away from the bias error that caused it (learning
 * from the correction as if it did not, the lean stayed some 10 deg off). After a minute the
 * bias is learned, and the lean is within 1 deg from then on.
 */
static void bias_is_learned_from_a_turning_start(void **state)
{
	struct rates r = { { 0.0, 0.0, 60.0 * RAD_PER_DEG }, 0.0, 1e9 };
	struct estimator e;
	struct sim s;

	(void)state;
	make(&e);
	sim_start(&s, 30.0, 0.0, constant_rate, &r);
	for (int i = 0; i < 3; i++)
		s.bias_rad_s[i] = 3.0 * RAD_PER_DEG;
	run(&e, &s, 60.0, RATE_HZ, 0.0);
	assert_true(run(&e, &s, 30.0, RATE_HZ, 0.0) < 1.0);
}

/*
 * A restart: the bias learned in the last run comes back through estimator_get_bias() and
 * estimator_set_bias(), with the uncertainty the caller states, and nothing else of the old
 * state.
 */
static void bias_survives_get_and_set(void **state)
{
	const double bias_deg_s[3] = { 1.0, -2.0, 0.5 };
	struct estimator e, next;
	struct sim s;
	double bias[3], sigma, back[3], back_sigma;

	(void)state;
	make(&e);
	sim_start(&s, 10.0, -5.0, NULL, NULL);
	for (int i = 0; i < 3; i++)
		s.bias_rad_s[i] = bias_deg_s[i] * RAD_PER_DEG;
	run(&e, &s, 20.0, RATE_HZ, 0.0);
	estimator_get_bias(&e, bias, &sigma);
	/* averaged at rest: known to a few hundredths of a deg/s, and that is what it says */
	for (int i = 0; i < 3; i++)
		assert_true(fabs(bias[i] - s.bias_rad_s[i]) < 0.01 * RAD_PER_DEG);
	assert_true(sigma < 0.05 * RAD_PER_DEG);

	make(&next);
	estimator_set_bias(&next, bias, ESTIMATOR_RESTORED_BIAS_SIGMA_RAD_S);
	estimator_get_bias(&next, back, &back_sigma);
	for (int i = 0; i < 3; i++)
		assert_true(back[i] == bias[i]);
	assert_true(back_sigma == ESTIMATOR_RESTORED_BIAS_SIGMA_RAD_S);
	assert_false(estimator_started(&next));
}

/*
 * Issue 7: a sensor put on while walking, its gyro 3 deg/s off on every axis. Starting from no
 * bias the estimate lags by nearly 3 deg while the bias is learned, over the first minute; with
 * the bias restored from the last run, even 0.5 deg/s off after a change of temperature, it is
 * within 2 deg from the first second.
 */
static void restored_bias_is_used_from_the_first_sample(void **state)
{
	struct estimator fresh, restored;
	struct sim s, s2;
	double bias[3];

	(void)state;
	make(&fresh);
	make(&restored);
	sim_start(&s, 0.0, 0.0, swaying, NULL);
	for (int i = 0; i < 3; i++) {
		s.bias_rad_s[i] = 3.0 * RAD_PER_DEG;
		bias[i] = 2.5 * RAD_PER_DEG;
	}
	estimator_set_bias(&restored, bias, ESTIMATOR_RESTORED_BIAS_SIGMA_RAD_S);
	s2 = s;
	/* the first 5 s, after the first accelerometer readings settle: lags of 0.5 * 3 s at most
	 */
	assert_true(run(&restored, &s2, 5.0, RATE_HZ, 0.5) < 2.0);
	assert_true(run(&fresh, &s, 5.0, RATE_HZ, 0.5) > 2.5);
	/* and the rest of the first minute */
	assert_true(run(&restored, &s2, 55.0, RATE_HZ, 0.0) < 2.0);
	assert_true(run(&fresh, &s, 55.0, RATE_HZ, 0.0) > 2.5);
}

/*
 * The bias changes (from +1 to -1 deg/s) while the wearer moves. Learned at rest, the old bias is
 * trusted, so the new one is learned slowly in motion (as a drift of 0.2 deg/s a minute would
 * be), and at once at the next rest.
 */
static void bias_step_is_relearned(void **state)
{
	struct estimator e;
	struct sim s;

	(void)state;
	make(&e);
	sim_start(&s, 0.0, 0.0, NULL, NULL);
	for (int i = 0; i < 3; i++)
		s.bias_rad_s[i] = 1.0 * RAD_PER_DEG;
	run(&e, &s, 10.0, RATE_HZ, 0.0);
	s.motion = swaying;
	assert_true(run(&e, &s, 30.0, RATE_HZ, 0.0) < 0.2);
	for (int i = 0; i < 3; i++)
		s.bias_rad_s[i] = -1.0 * RAD_PER_DEG;
	run(&e, &s, 120.0, RATE_HZ, 0.0);
	/* at least a quarter of the way in two minutes */
	assert_true(e.gyro_bias_rad_s[0] < 0.5 * RAD_PER_DEG);
	assert_true(e.gyro_bias_rad_s[1] < 0.5 * RAD_PER_DEG);
	s.motion = NULL;
	run(&e, &s, 10.0, RATE_HZ, 0.0);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(e.gyro_bias_rad_s[i] + 1.0 * RAD_PER_DEG) < 0.05 * RAD_PER_DEG);
	assert_true(error_deg(&e, &s) < 0.5);
	run(&e, &s, 10.0, RATE_HZ, 0.0);
	assert_true(error_deg(&e, &s) < 0.01);
}

/*
 * A 400 deg/s turn through 80 deg on a gyro whose range is 250 deg/s reads as 50 deg. Returns
 * the error 1.5 s after the turn, with the estimator told range_deg_s (0: not told).
 */
static double error_after_clipped_turn(double range_deg_s)
{
	struct rates r = { { 0.0, 400.0 * RAD_PER_DEG, 0.0 }, 5.0, 5.2 };
	struct estimator e;
	struct sim s;

	make(&e);
	e.settings.gyro_range_rad_s = range_deg_s * RAD_PER_DEG;
	sim_start(&s, 0.0, 0.0, constant_rate, &r);
	s.range_rad_s = 250.0 * RAD_PER_DEG;
	run(&e, &s, 6.7, RATE_HZ, 0.0);
	return error_deg(&e, &s);
}

/* Told the range, the estimator lets the accelerometer undo the missing 30 deg at once. */
static void saturated_gyro_recovers(void **state)
{
	(void)state;
	assert_true(error_after_clipped_turn(250.0) < 0.2);
	assert_true(error_after_clipped_turn(0.0) > 10.0);
}

/*
 * A 2 g knock for one sample (0.4 m/s of impulse) must not tilt the estimate: spread over the
 * 3 s low-pass it moves it by half a degree at most, and then not at all.
 */
static void impact_is_rejected(void **state)
{
	struct estimator e;
	struct sim s;
	struct imu_sample imu;
	double worst = 0.0;

	(void)state;
	make(&e);
	sim_start(&s, 20.0, 0.0, NULL, NULL);
	run(&e, &s, 5.0, RATE_HZ, 0.0);
	sim_sample(&s, 1.0 / RATE_HZ, &imu);
	imu.accel_m_s2[0] += 2.0 * STANDARD_GRAVITY_M_S2;
	estimator_update(&e, s.t_s, &imu);
	worst = fmax(error_deg(&e, &s), run(&e, &s, 10.0, RATE_HZ, 0.0));
	assert_true(worst < 0.6);
	assert_true(error_deg(&e, &s) < 0.01);
}

/*
 * The hardest knock still taken as real (32 g on every axis, 55 g in all) for one sample: like
 * the 2 g knock, scaled: it tilts the estimate by 12 deg at most, through the 3 s low-pass, and
 * it is back within 1 deg in 9 s (the bias it taught settles within 0.1 deg by 21 s). A reading
 * beyond (bad_samples_are_ignored) costs nothing.
 */
static void full_scale_knock_recovers(void **state)
{
	struct estimator e;
	struct sim s;
	struct imu_sample imu;
	double worst;

	(void)state;
	make(&e);
	sim_start(&s, 20.0, 0.0, NULL, NULL);
	run(&e, &s, 5.0, RATE_HZ, 0.0);
	sim_sample(&s, 1.0 / RATE_HZ, &imu);
	for (int i = 0; i < 3; i++)
		imu.accel_m_s2[i] = IMU_ACCEL_MAX_M_S2;
	assert_true(imu_sample_plausible(&imu));
	estimator_update(&e, s.t_s, &imu);
	worst = run(&e, &s, 9.0, RATE_HZ, 0.0);
	assert_true(worst < 12.5);
	assert_true(error_deg(&e, &s) < 1.0);
	assert_true(run(&e, &s, 12.0, RATE_HZ, 0.0) < 1.0);
	assert_true(error_deg(&e, &s) < 0.1);
}

/*
 * 2 m/s^2 forward for 3 s (0 to 6 m/s, a sprint start) with no turn: the accelerometer alone
 * reads an 11.5 deg tilt. Nothing tells a sustained acceleration from a tilt but its duration:
 * after one delay (tau_s) the low-pass has moved half-way (6 deg); once it ends it comes back.
 */
static void sustained_acceleration_barely_tilts(void **state)
{
	struct push p = { 5.0, 8.0, 2.0 };
	struct estimator e;
	struct sim s;
	double during, after;

	(void)state;
	make(&e);
	sim_start(&s, 0.0, 0.0, pushed, &p);
	during = run(&e, &s, 8.0, RATE_HZ, 0.0);
	after = run(&e, &s, 20.0, RATE_HZ, 10.0);
	assert_true(during < 6.5);
	assert_true(during > 5.0);
	assert_true(after < 0.5);
}

/* The same turn sampled at 25 Hz, 100 Hz and at jittery intervals is tracked alike. */
static void time_step_comes_from_timestamps(void **state)
{
	static const double rates_hz[] = { 25.0, 100.0 };
	struct estimator e;
	struct sim s;
	struct imu_sample imu;
	double worst = 0.0;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		make(&e);
		sim_start(&s, 0.0, 0.0, tumbling, NULL);
		worst = run(&e, &s, 20.0, rates_hz[k], 0.0);
		assert_true(worst < 0.03);
	}
	make(&e);
	sim_start(&s, 0.0, 0.0, tumbling, NULL);
	worst = 0.0;
	for (int i = 0; i < 1000; i++) {
		sim_sample(&s, (15.0 + (i * 7919) % 11) / 1000.0, &imu);
		estimator_update(&e, s.t_s, &imu);
		worst = fmax(worst, error_deg(&e, &s));
	}
	assert_true(worst < 0.03);
}

/* After a gap (a lost sensor) the estimate restarts from gravity, not from stale integration. */
static void gap_restarts_from_accelerometer(void **state)
{
	struct estimator e;
	struct sim s;
	struct imu_sample imu;
	double bias;

	(void)state;
	make(&e);
	sim_start(&s, 0.0, 0.0, NULL, NULL);
	s.bias_rad_s[0] = 2.0 * RAD_PER_DEG;
	run(&e, &s, 20.0, RATE_HZ, 0.0);
	bias = e.gyro_bias_rad_s[0];
	sim_start(&s, 50.0, 0.0, NULL, NULL);
	s.t_s = 22.0;
	sim_sample(&s, 1.0 / RATE_HZ, &imu);
	estimator_update(&e, s.t_s, &imu);
	assert_true(error_deg(&e, &s) < 1e-6);
	/* The bias belongs to the sensor: it survives the gap. */
	assert_true(e.gyro_bias_rad_s[0] == bias);
	assert_true(fabs(bias - 2.0 * RAD_PER_DEG) < 0.01 * RAD_PER_DEG);
}

/*
 * A sample with a NaN or a reading no sensor gives (a broken reading), or a time that is not
 * finite, is skipped; a repeated timestamp too. One 1e308 m/s^2 once froze the estimate.
 */
static void bad_samples_are_ignored(void **state)
{
	struct estimator e, before;
	struct sim s;
	struct imu_sample imu;

	(void)state;
	make(&e);
	sim_start(&s, 30.0, 0.0, NULL, NULL);
	run(&e, &s, 2.0, RATE_HZ, 0.0);
	before = e;
	sim_sample(&s, 1.0 / RATE_HZ, &imu);
	imu.gyro_rad_s[1] = NAN;
	estimator_update(&e, s.t_s, &imu);
	imu.gyro_rad_s[1] = 0.0;
	imu.accel_m_s2[2] = INFINITY;
	estimator_update(&e, s.t_s, &imu);
	/* What a glitching bus gives: beyond any sensor's range, or no time at all. */
	imu.accel_m_s2[2] = 1e308;
	estimator_update(&e, s.t_s, &imu);
	imu.accel_m_s2[2] = 0.0;
	imu.gyro_rad_s[0] = -1e5;
	estimator_update(&e, s.t_s, &imu);
	imu.gyro_rad_s[0] = 0.0;
	estimator_update(&e, NAN, &imu);
	estimator_update(&e, INFINITY, &imu);
	sim_sample(&s, 0.0, &imu);
	estimator_update(&e, before.last_t_s, &imu);
	assert_memory_equal(&e, &before, sizeof(e));
	run(&e, &s, 1.0, RATE_HZ, 0.0);
	assert_true(error_deg(&e, &s) < 1e-6);
}

/*
 * While the vibration motor runs the accelerometer reads its shaking: gyro-only samples. Here it
 * reads a steady 1.5 g sideways (the worst a clipped or synchronously aliased buzz gives), which
 * estimator_update() would slowly follow, while the sensor turns by 40 deg: the gyro alone
 * carries the estimate, and taking the accelerometer back afterwards joins on without a jump.
 */
static void gyro_only_samples_ignore_the_accelerometer(void **state)
{
	struct rates r = { { 0.0, 20.0 * RAD_PER_DEG, 0.0 }, 20.0, 22.0 };
	struct estimator e;
	struct sim s;
	struct imu_sample imu;
	double worst = 0.0;

	(void)state;
	make(&e);
	sim_start(&s, 10.0, 0.0, constant_rate, &r);
	run(&e, &s, 20.0, RATE_HZ, 0.0);
	while (s.t_s < 22.0 - 1e-9) {
		sim_sample(&s, 1.0 / RATE_HZ, &imu);
		imu.accel_m_s2[1] += 1.5 * STANDARD_GRAVITY_M_S2;
		estimator_update_gyro(&e, s.t_s, &imu);
		worst = fmax(worst, error_deg(&e, &s));
	}
	assert_true(worst < 0.01);
	assert_true(run(&e, &s, 10.0, RATE_HZ, 0.0) < 0.01);
}

/*
 * A sensor at rest whose gyro reads 1 deg/s more while the motor runs (the housing's rocking,
 * rectified): the bias learned at rest is not taught the buzz, and a sensor started (or
 * restarted after a gap) during a buzz waits for a quiet sample to find up.
 */
static void gyro_only_samples_teach_nothing(void **state)
{
	struct estimator e;
	struct sim s;
	struct imu_sample imu;
	double bias[3], sigma_rad_s, after[3], after_sigma_rad_s;

	(void)state;
	make(&e);
	sim_start(&s, 30.0, 0.0, NULL, NULL);
	sim_sample(&s, 1.0 / RATE_HZ, &imu);
	estimator_update_gyro(&e, s.t_s, &imu);
	assert_false(estimator_started(&e));
	run(&e, &s, 20.0, RATE_HZ, 0.0);
	estimator_get_bias(&e, bias, &sigma_rad_s);
	for (int i = 0; i < 100; i++) {
		sim_sample(&s, 1.0 / RATE_HZ, &imu);
		imu.gyro_rad_s[0] += 1.0 * RAD_PER_DEG;
		estimator_update_gyro(&e, s.t_s, &imu);
	}
	estimator_get_bias(&e, after, &after_sigma_rad_s);
	assert_memory_equal(after, bias, sizeof(bias));
	/* Not refined by averaging at rest: only the drift allowance grows. */
	assert_true(after_sigma_rad_s >= sigma_rad_s);

	/* A gap, then a buzz: the stale estimate is not carried on, nor restarted from it. */
	sim_start(&s, -20.0, 0.0, NULL, NULL);
	s.t_s = 30.0;
	sim_sample(&s, 1.0 / RATE_HZ, &imu);
	imu.accel_m_s2[0] += 1.5 * STANDARD_GRAVITY_M_S2;
	estimator_update_gyro(&e, s.t_s, &imu);
	assert_true(error_deg(&e, &s) > 40.0);
	sim_sample(&s, 1.0 / RATE_HZ, &imu);
	estimator_update(&e, s.t_s, &imu);
	assert_true(error_deg(&e, &s) < 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(static_tilt_is_found_and_held),
		cmocka_unit_test(gyro_only_samples_ignore_the_accelerometer),
		cmocka_unit_test(gyro_only_samples_teach_nothing),
		cmocka_unit_test(constant_rate_rotation_is_tracked),
		cmocka_unit_test(tumbling_in_three_axes_is_tracked),
		cmocka_unit_test(gyro_bias_is_learned_at_rest),
		cmocka_unit_test(gyro_bias_is_learned_in_motion),
		cmocka_unit_test(bias_is_learned_from_a_turning_start),
		cmocka_unit_test(bias_survives_get_and_set),
		cmocka_unit_test(restored_bias_is_used_from_the_first_sample),
		cmocka_unit_test(bias_step_is_relearned),
		cmocka_unit_test(saturated_gyro_recovers),
		cmocka_unit_test(impact_is_rejected),
		cmocka_unit_test(full_scale_knock_recovers),
		cmocka_unit_test(sustained_acceleration_barely_tilts),
		cmocka_unit_test(time_step_comes_from_timestamps),
		cmocka_unit_test(gap_restarts_from_accelerometer),
		cmocka_unit_test(bad_samples_are_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
