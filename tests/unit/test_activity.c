/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Still, moving, lying and walking from synthetic IMU samples (time is an input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "postured/activity.h"
#include "postured/vec3.h"

#define RATE_HZ 50.0
#define DT_S (1.0 / RATE_HZ)

struct run {
	struct activity a;
	struct activity_settings s;
	double t_s;
	double moving_s, walking_s, lying_s, total_s;
};

static void setup(struct run *r)
{
	memset(r, 0, sizeof(*r));
	activity_default_settings(&r->s);
	activity_init(&r->a);
}

/*
 * duration_s of a sensor whose up is +Z, reading accel = g up + linear (sensor axes) and gyro,
 * both given per instant by the callback; tilt_deg as the trunk's tilt from upright.
 */
typedef void (*motion_fn)(double t_s, double accel[3], double gyro[3]);

static void run_for(struct run *r, double duration_s, motion_fn motion, double tilt_deg)
{
	const double up[3] = { 0.0, 0.0, 1.0 };

	r->moving_s = r->walking_s = r->lying_s = r->total_s = 0.0;
	for (int i = 0; i < (int)(duration_s * RATE_HZ + 0.5); i++) {
		struct imu_sample imu;
		double lin[3] = { 0 };

		memset(&imu, 0, sizeof(imu));
		motion(r->t_s, lin, imu.gyro_rad_s);
		for (int k = 0; k < 3; k++)
			imu.accel_m_s2[k] = STANDARD_GRAVITY_M_S2 * up[k] + lin[k];
		activity_update(&r->a, &r->s, r->t_s > 0.0 ? DT_S : 0.0, &imu, up, tilt_deg);
		r->t_s += DT_S;
		r->total_s += DT_S;
		r->moving_s += r->a.cls == ACTIVITY_MOVING ? DT_S : 0.0;
		r->walking_s += r->a.walking ? DT_S : 0.0;
		r->lying_s += r->a.cls == ACTIVITY_LYING ? DT_S : 0.0;
	}
}

/* Breathing: 0.5 deg of pitch sway at 0.25 Hz, and a little typing jitter. */
static void breathing(double t_s, double accel[3], double gyro[3])
{
	(void)accel;
	gyro[1] = 0.5 * RAD_PER_DEG * 2.0 * M_PI * 0.25 * cos(2.0 * M_PI * 0.25 * t_s);
	gyro[0] = 0.3 * RAD_PER_DEG * sin(2.0 * M_PI * 3.1 * t_s);
}

/* Walking: a 1.5 m/s^2 vertical bounce at 1.8 steps/s, 1 m/s^2 fore-aft, 0.7 sideways at
 * half that, and the trunk rocking 20 deg/s with each stride. */
static void walking(double t_s, double accel[3], double gyro[3])
{
	double w = 2.0 * M_PI * 1.8;

	accel[2] = 1.5 * cos(w * t_s);
	accel[0] = 1.0 * sin(w * t_s);
	accel[1] = 0.7 * sin(0.5 * w * t_s);
	gyro[2] = 20.0 * RAD_PER_DEG * sin(0.5 * w * t_s);
	gyro[0] = 8.0 * RAD_PER_DEG * cos(w * t_s);
}

/* Pedalling an exercise bike: the trunk rocks sideways (1.5 m/s^2, +-25 deg/s) at 1.2 Hz, with
 * no vertical bounce. */
static void pedalling(double t_s, double accel[3], double gyro[3])
{
	double w = 2.0 * M_PI * 1.2;

	accel[1] = 1.5 * sin(w * t_s);
	gyro[0] = 25.0 * RAD_PER_DEG * cos(w * t_s);
}

static void still_when_breathing(void **state)
{
	struct run r;

	(void)state;
	setup(&r);
	run_for(&r, 30.0, breathing, 5.0);
	assert_int_equal(r.a.cls, ACTIVITY_STILL);
	assert_true(r.moving_s == 0.0);
	assert_string_equal(activity_name(r.a.cls), "still");
}

static void walking_is_moving_and_recognised(void **state)
{
	struct run r;

	(void)state;
	setup(&r);
	run_for(&r, 20.0, walking, 10.0);
	assert_int_equal(r.a.cls, ACTIVITY_MOVING);
	/* Moving within a second, the steps recognised within a few. */
	assert_true(r.moving_s > 19.0);
	assert_true(r.walking_s > 15.0);
	assert_true(r.a.moving_s > 19.0);
	/* Back to breathing: still again after the readings have been quiet for a second. */
	run_for(&r, 5.0, breathing, 10.0);
	assert_int_equal(r.a.cls, ACTIVITY_STILL);
	assert_true(r.moving_s < 3.0);
	assert_true(r.a.moving_s == 0.0);
}

static void pedalling_is_moving_but_not_walking(void **state)
{
	struct run r;

	(void)state;
	setup(&r);
	run_for(&r, 20.0, pedalling, 30.0);
	assert_true(r.moving_s > 19.0);
	assert_true(r.walking_s == 0.0);
}

/* Lying from the tilt alone, whatever its direction; leaving it needs 10 deg less. */
static void lying_from_the_tilt_with_hysteresis(void **state)
{
	struct run r;

	(void)state;
	setup(&r);
	run_for(&r, 5.0, breathing, 85.0);
	assert_int_equal(r.a.cls, ACTIVITY_LYING);
	run_for(&r, 5.0, breathing, 55.0);
	assert_int_equal(r.a.cls, ACTIVITY_LYING);
	run_for(&r, 5.0, breathing, 45.0);
	assert_int_equal(r.a.cls, ACTIVITY_STILL);
	/* Not calibrated yet: the tilt is unknown, and nobody is taken to be lying. */
	run_for(&r, 5.0, breathing, NAN);
	assert_int_equal(r.a.cls, ACTIVITY_STILL);
}

/* Steps overrule a tilt a wrong reference shows: nobody walks lying down. */
static void walking_overrules_a_lying_tilt(void **state)
{
	struct run r;

	(void)state;
	setup(&r);
	run_for(&r, 20.0, walking, 90.0);
	assert_true(r.walking_s > 15.0);
	assert_int_equal(r.a.cls, ACTIVITY_MOVING);
}

/* The vibration motor's 1.5 g, aliased to 20 Hz in the samples. */
static void shaking(double t_s, double accel[3], double gyro[3])
{
	(void)gyro;
	accel[0] = 1.5 * STANDARD_GRAVITY_M_S2 * sin(2.0 * M_PI * 20.0 * t_s);
}

/* hold_for: duration_s of shaking samples given to activity_hold(), as during a buzz. */
static void hold_for(struct run *r, double duration_s)
{
	for (int i = 0; i < (int)(duration_s * RATE_HZ + 0.5); i++) {
		struct imu_sample imu = { { 0.0, 0.0, STANDARD_GRAVITY_M_S2 }, { 0.0, 0.0, 0.0 } };

		shaking(r->t_s, imu.accel_m_s2, imu.gyro_rad_s);
		imu.accel_m_s2[2] = STANDARD_GRAVITY_M_S2;
		activity_hold(&r->a, DT_S, &imu);
		r->t_s += DT_S;
	}
}

/*
 * The motor's buzz is held, not measured: a still wearer stays still through a 10 s buzz and
 * after it (given to activity_update the same shaking reads as moving), and a walker's class
 * and its duration stay as they were, so a buzz neither starts nor lengthens a movement.
 */
static void buzz_keeps_the_class(void **state)
{
	struct run r;
	double moving_s, walking_s;

	(void)state;
	setup(&r);
	run_for(&r, 10.0, breathing, 0.0);
	hold_for(&r, 10.0);
	assert_int_equal(r.a.cls, ACTIVITY_STILL);
	run_for(&r, 5.0, breathing, 0.0);
	assert_true(r.moving_s == 0.0);
	run_for(&r, 1.0, shaking, 0.0);
	assert_int_equal(r.a.cls, ACTIVITY_MOVING);

	setup(&r);
	run_for(&r, 10.0, walking, 0.0);
	assert_int_equal(r.a.cls, ACTIVITY_MOVING);
	assert_true(r.a.walking);
	moving_s = r.a.moving_s;
	walking_s = r.a.walking_s;
	hold_for(&r, 2.0);
	assert_int_equal(r.a.cls, ACTIVITY_MOVING);
	assert_true(r.a.walking);
	assert_true(r.a.moving_s == moving_s && r.a.walking_s == walking_s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(still_when_breathing),
		cmocka_unit_test(walking_is_moving_and_recognised),
		cmocka_unit_test(pedalling_is_moving_but_not_walking),
		cmocka_unit_test(lying_from_the_tilt_with_hysteresis),
		cmocka_unit_test(walking_overrules_a_lying_tilt),
		cmocka_unit_test(buzz_keeps_the_class),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
