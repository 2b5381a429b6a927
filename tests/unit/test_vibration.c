/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vibration motor's model for --simulate-buzz: what a sensor reads while it runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "postured/pipeline.h"
#include "postured/vibration.h"

#define RATE_HZ 50.0
#define G STANDARD_GRAVITY_M_S2

/* A sensor upright at rest: 1 g on z. */
static struct imu_sample upright(void)
{
	return (struct imu_sample){ { 0.0, 0.0, G }, { 0.0, 0.0, 0.0 } };
}

/* Nothing is added before the motor ever ran, nor once its spin-down is over: within the tail
 * the pipeline allows after a buzz (PIPELINE_MOTOR_TAIL_S). */
static void quiet_outside_a_buzz(void **state)
{
	struct vibration v;
	struct imu_sample imu = upright(), before = imu;

	(void)state;
	vibration_init(&v, 1);
	vibration_add(&v, 0.0, &imu);
	assert_memory_equal(&imu, &before, sizeof(imu));
	vibration_motor(&v, true, 1.0);
	vibration_add(&v, 1.5, &imu);
	assert_memory_not_equal(&imu, &before, sizeof(imu));
	vibration_motor(&v, false, 2.0);
	imu = before;
	vibration_add(&v, 2.0 + PIPELINE_MOTOR_TAIL_S, &imu);
	assert_memory_equal(&imu, &before, sizeof(imu));
}

/*
 * At full speed the coin plane (y, z) shakes by VIBRATION_ACCEL_G, clipped at +-2 g: on z, over
 * gravity, the clipping leaves a steady offset down (the worst for an estimator that low-passes
 * the accelerometer); the gyro rocks by VIBRATION_ROCK_DEG_S at most.
 */
static void full_speed_shaking_is_clipped(void **state)
{
	struct vibration v;
	double peak_y = 0.0, sum_z = 0.0, peak_gyro = 0.0;
	int n = 0;

	(void)state;
	vibration_init(&v, 7);
	vibration_motor(&v, true, 0.0);
	for (double t_s = 0.2; t_s < 10.0; t_s += 1.0 / RATE_HZ, n++) {
		struct imu_sample imu = upright();

		vibration_add(&v, t_s, &imu);
		peak_y = fmax(peak_y, fabs(imu.accel_m_s2[1]));
		assert_true(imu.accel_m_s2[2] <= VIBRATION_RANGE_G * G);
		sum_z += imu.accel_m_s2[2];
		peak_gyro = fmax(peak_gyro, fabs(imu.gyro_rad_s[0]));
	}
	assert_true(peak_y > 0.9 * VIBRATION_ACCEL_G * G && peak_y <= VIBRATION_ACCEL_G * G);
	assert_true(sum_z / n < 0.97 * G);
	assert_true(peak_gyro <= VIBRATION_ROCK_DEG_S * RAD_PER_DEG);
}

/* The same seed and switches give the same samples, so replays can be compared; another seed,
 * another buzz. */
static void the_seed_makes_it_reproducible(void **state)
{
	struct vibration a, b, c;

	(void)state;
	vibration_init(&a, 42);
	vibration_init(&b, 42);
	vibration_init(&c, 43);
	for (int k = 0; k < 3; k++) {
		vibration_motor(&a, true, k * 2.0);
		vibration_motor(&b, true, k * 2.0);
		vibration_motor(&c, true, k * 2.0);
		vibration_motor(&a, false, k * 2.0 + 0.4);
		vibration_motor(&b, false, k * 2.0 + 0.4);
		vibration_motor(&c, false, k * 2.0 + 0.4);
	}
	for (double t_s = 4.0; t_s < 4.4; t_s += 1.0 / RATE_HZ) {
		struct imu_sample x = upright(), y = upright(), z = upright();

		vibration_add(&a, t_s, &x);
		vibration_add(&b, t_s, &y);
		vibration_add(&c, t_s, &z);
		assert_memory_equal(&x, &y, sizeof(x));
		assert_memory_not_equal(&x, &z, sizeof(x));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quiet_outside_a_buzz),
		cmocka_unit_test(full_speed_shaking_is_clipped),
		cmocka_unit_test(the_seed_makes_it_reproducible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
