/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "near.h"

#include "motion.h"
#include "postured/posture.h"

/* An MPU-6050 on the upper back: x points out of the back, so the wearer's forward is -X. */
static void back_sensor_settings(struct posture_settings *s)
{
	posture_default_settings(s);
	s->forward_mode[ROLE_TRUNK] = FORWARD_AXIS;
	s->forward_axis[ROLE_TRUNK][0] = -1.0;
}

/* Leaning forward by lean_deg turns the sensor about its y axis by -lean (x points back). */
static void up_after_lean(double mount_pitch_deg, double lean_deg, double up[3])
{
	motion_up((mount_pitch_deg - lean_deg) * RAD_PER_DEG, up);
}

static void flexion_is_signed_against_the_calibrated_pose(void **state)
{
	struct posture_settings s;
	struct calibration cal;
	struct posture_angles a;
	bool has[ROLE_COUNT] = { true, false };
	double up[ROLE_COUNT][3] = { { 0 } };

	(void)state;
	back_sensor_settings(&s);
	/* The sensor sits 12 deg off vertical on this wearer's back: that is their "upright". */
	up_after_lean(12.0, 0.0, up[ROLE_TRUNK]);
	posture_calibrate(&cal, &s, has, up);
	assert_true(cal.valid && cal.forward_known[ROLE_TRUNK]);

	up_after_lean(12.0, 30.0, up[ROLE_TRUNK]);
	posture_angles(&cal, has, up, &a);
	assert_true(a.valid[ROLE_TRUNK]);
	assert_near(a.flexion_deg[ROLE_TRUNK], 30.0, 0.01);
	assert_near(a.lateral_deg[ROLE_TRUNK], 0.0, 0.01);
	assert_near(a.tilt_deg[ROLE_TRUNK], 30.0, 0.01);

	up_after_lean(12.0, -10.0, up[ROLE_TRUNK]);
	posture_angles(&cal, has, up, &a);
	assert_near(a.flexion_deg[ROLE_TRUNK], -10.0, 0.01);
	assert_false(a.neck_valid);
}

static void side_bending_is_lateral_not_flexion(void **state)
{
	struct posture_settings s;
	struct calibration cal;
	struct posture_angles a;
	bool has[ROLE_COUNT] = { true, false };
	double up[ROLE_COUNT][3] = { { 0, 0, 1 } };
	double lean = 15.0 * RAD_PER_DEG;

	(void)state;
	back_sensor_settings(&s);
	posture_calibrate(&cal, &s, has, up);
	/* Forward is -X and up +Z, so the wearer's right is (-X) x (+Z) = +Y: leaning right moves
	 * the sensor's view of "up" toward -Y. */
	up[ROLE_TRUNK][0] = 0.0;
	up[ROLE_TRUNK][1] = -sin(lean);
	up[ROLE_TRUNK][2] = cos(lean);
	posture_angles(&cal, has, up, &a);
	assert_near(a.lateral_deg[ROLE_TRUNK], 15.0, 0.01);
	assert_near(a.flexion_deg[ROLE_TRUNK], 0.0, 0.01);
}

static void flexion_is_the_tilt_until_forward_is_known(void **state)
{
	struct posture_settings s;
	struct calibration cal;
	struct posture_angles a;
	bool has[ROLE_COUNT] = { true, false };
	double up[ROLE_COUNT][3] = { { 0 } };

	(void)state;
	posture_default_settings(&s); /* forward_axis = auto */
	up_after_lean(0.0, 0.0, up[ROLE_TRUNK]);
	posture_calibrate(&cal, &s, has, up);
	assert_false(cal.forward_known[ROLE_TRUNK]);

	/* Until learned, flexion is the unsigned tilt. */
	up_after_lean(0.0, 25.0, up[ROLE_TRUNK]);
	posture_angles(&cal, has, up, &a);
	assert_near(a.flexion_deg[ROLE_TRUNK], 25.0, 0.01);
}

/* ISO 11226 neck flexion: head relative to trunk, so bending the whole body is not neck load. */
static void neck_flexion_is_head_minus_trunk(void **state)
{
	struct posture_settings s;
	struct calibration cal;
	struct posture_angles a;
	bool has[ROLE_COUNT] = { true, true };
	double up[ROLE_COUNT][3];

	(void)state;
	back_sensor_settings(&s);
	s.forward_mode[ROLE_HEAD] = FORWARD_AXIS;
	s.forward_axis[ROLE_HEAD][0] = -1.0;
	up_after_lean(0.0, 0.0, up[ROLE_TRUNK]);
	up_after_lean(-5.0, 0.0, up[ROLE_HEAD]);
	posture_calibrate(&cal, &s, has, up);

	up_after_lean(0.0, 20.0, up[ROLE_TRUNK]);
	up_after_lean(-5.0, 50.0, up[ROLE_HEAD]);
	posture_angles(&cal, has, up, &a);
	assert_true(a.neck_valid);
	assert_near(a.flexion_deg[ROLE_HEAD], 50.0, 0.01);
	assert_near(a.neck_flexion_deg, 30.0, 0.01);

	up_after_lean(-5.0, 20.0, up[ROLE_HEAD]);
	posture_angles(&cal, has, up, &a);
	assert_near(a.neck_flexion_deg, 0.0, 0.01);
}

static void uncalibrated_gives_no_angles(void **state)
{
	struct calibration cal = { 0 };
	struct posture_angles a;
	bool has[ROLE_COUNT] = { true, true };
	double up[ROLE_COUNT][3] = { { 0, 0, 1 }, { 0, 0, 1 } };

	(void)state;
	posture_angles(&cal, has, up, &a);
	assert_false(a.valid[ROLE_TRUNK]);
	assert_false(a.valid[ROLE_HEAD]);
	assert_false(a.neck_valid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flexion_is_signed_against_the_calibrated_pose),
		cmocka_unit_test(side_bending_is_lateral_not_flexion),
		cmocka_unit_test(flexion_is_the_tilt_until_forward_is_known),
		cmocka_unit_test(neck_flexion_is_head_minus_trunk),
		cmocka_unit_test(uncalibrated_gives_no_angles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
