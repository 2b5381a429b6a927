#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "motion.h"
#include "postured/estimator.h"

#define RATE_HZ 50.0

static void make(struct estimator *e)
{
	struct estimator_settings s;

	estimator_default_settings(&s);
	estimator_init(e, &s);
}

static double error_deg(const struct estimator *e, double pitch_rad)
{
	double truth[3];

	motion_up(pitch_rad, truth);
	return motion_angle_deg(e->up, truth);
}

static void static_tilt_is_found_and_held(void **state)
{
	struct estimator e;
	struct imu_sample s;
	double pitch = 30.0 * RAD_PER_DEG;

	(void)state;
	make(&e);
	motion_sample(pitch, 0.0, &s);
	for (int i = 0; i < 10 * RATE_HZ; i++)
		estimator_update(&e, i / RATE_HZ, &s);
	assert_true(error_deg(&e, pitch) < 0.1);
	assert_true(estimator_at_rest_for(&e, 3.0));
}

static void constant_rate_rotation_is_tracked(void **state)
{
	struct estimator e;
	struct imu_sample s;
	double rate = 60.0 * RAD_PER_DEG, pitch = 0.0;

	(void)state;
	make(&e);
	for (int i = 0; i < 2 * RATE_HZ; i++) {
		pitch = rate * i / RATE_HZ;
		motion_sample(pitch, rate, &s);
		estimator_update(&e, i / RATE_HZ, &s);
	}
	assert_true(error_deg(&e, pitch) < 1.0);
	assert_false(estimator_at_rest_for(&e, 0.1));
}

/* 3 deg/s of bias on every axis would drift 90 deg in 30 s without bias estimation. */
static void gyro_bias_is_learned(void **state)
{
	struct estimator e;
	struct imu_sample s;
	double bias = 3.0 * RAD_PER_DEG, pitch = 10.0 * RAD_PER_DEG;

	(void)state;
	make(&e);
	e.settings.rest_gyro_rad_s = 0.1; /* a resting sensor with this much bias still rests */
	motion_sample(pitch, 0.0, &s);
	for (int i = 0; i < 3; i++)
		s.gyro_rad_s[i] += bias;
	for (int i = 0; i < 30 * RATE_HZ; i++)
		estimator_update(&e, i / RATE_HZ, &s);
	assert_true(error_deg(&e, pitch) < 0.5);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(e.gyro_bias_rad_s[i] - bias) < 0.2 * bias);
}

/* While the wearer keeps moving there is no rest: the bias must be learned from gravity alone. */
static void gyro_bias_is_learned_in_motion(void **state)
{
	struct estimator e;
	struct imu_sample s;
	double bias = 3.0 * RAD_PER_DEG, pitch = 0.0;

	(void)state;
	make(&e);
	for (int i = 0; i <= 120 * RATE_HZ; i++) {
		double t = i / RATE_HZ;

		pitch = 0.3 * sin(0.5 * t);
		motion_sample(pitch, 0.15 * cos(0.5 * t), &s);
		for (int k = 0; k < 3; k++)
			s.gyro_rad_s[k] += bias;
		estimator_update(&e, t, &s);
		assert_false(estimator_at_rest_for(&e, 0.1));
	}
	assert_true(error_deg(&e, pitch) < 1.5);
	/* A bias about the vertical (here mostly z) tilts nothing, so gravity reveals only x and y. */
	assert_true(fabs(e.gyro_bias_rad_s[0] - bias) < 0.5 * RAD_PER_DEG);
	assert_true(fabs(e.gyro_bias_rad_s[1] - bias) < 0.5 * RAD_PER_DEG);
}

/* A 2 g knock for one sample must not tilt the estimate. */
static void impact_is_rejected(void **state)
{
	struct estimator e;
	struct imu_sample s, knock;

	(void)state;
	make(&e);
	motion_sample(0.0, 0.0, &s);
	knock = s;
	knock.accel_m_s2[0] += 2.0 * STANDARD_GRAVITY_M_S2;
	for (int i = 0; i < 5 * RATE_HZ; i++)
		estimator_update(&e, i / RATE_HZ, i == 100 ? &knock : &s);
	assert_true(error_deg(&e, 0.0) < 0.2);
}

/* A clipped gyro underreports a fast turn; the accelerometer must bring the estimate back. */
static void saturated_gyro_recovers(void **state)
{
	struct estimator e;
	struct imu_sample s;
	double range = 250.0 * RAD_PER_DEG, true_rate = 400.0 * RAD_PER_DEG, pitch = 0.0;
	double t = 0.0;

	(void)state;
	make(&e);
	e.settings.gyro_range_rad_s = range;
	for (int i = 0; i < 10; i++, t += 1.0 / RATE_HZ) {
		pitch = true_rate * i / RATE_HZ;
		motion_sample(pitch, range, &s); /* clipped reading */
		estimator_update(&e, t, &s);
	}
	for (int i = 0; i < 2 * RATE_HZ; i++, t += 1.0 / RATE_HZ) {
		motion_sample(pitch, 0.0, &s);
		estimator_update(&e, t, &s);
	}
	assert_true(error_deg(&e, pitch) < 2.0);
}

/* The time step comes from the timestamps: 25 Hz and 100 Hz track the same rotation. */
static void time_step_comes_from_timestamps(void **state)
{
	static const double rates_hz[] = { 25.0, 100.0 };

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		struct estimator e;
		struct imu_sample s;
		double rate = 45.0 * RAD_PER_DEG, pitch = 0.0;

		make(&e);
		for (int i = 0; i <= 2 * rates_hz[k]; i++) {
			pitch = rate * i / rates_hz[k];
			motion_sample(pitch, rate, &s);
			estimator_update(&e, i / rates_hz[k], &s);
		}
		assert_true(error_deg(&e, pitch) < 1.0);
	}
}

/* After a gap (a lost sensor) the estimate restarts from gravity, not from stale integration. */
static void gap_restarts_from_accelerometer(void **state)
{
	struct estimator e;
	struct imu_sample s;

	(void)state;
	make(&e);
	motion_sample(0.0, 0.0, &s);
	estimator_update(&e, 0.0, &s);
	estimator_update(&e, 0.02, &s);
	motion_sample(50.0 * RAD_PER_DEG, 0.0, &s);
	estimator_update(&e, 5.0, &s);
	assert_true(error_deg(&e, 50.0 * RAD_PER_DEG) < 0.01);
	assert_false(estimator_at_rest_for(&e, 0.01));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(static_tilt_is_found_and_held),
		cmocka_unit_test(constant_rate_rotation_is_tracked),
		cmocka_unit_test(gyro_bias_is_learned),
		cmocka_unit_test(gyro_bias_is_learned_in_motion),
		cmocka_unit_test(impact_is_rejected),
		cmocka_unit_test(saturated_gyro_recovers),
		cmocka_unit_test(time_step_comes_from_timestamps),
		cmocka_unit_test(gap_restarts_from_accelerometer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
