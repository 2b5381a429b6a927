/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference's decisions from scripted up vectors and activity: forward from movements only,
 * walking checks (and corrects, or warns about) the upright reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "near.h"

#include "postured/reference.h"
#include "postured/vec3.h"

#define DT_S 0.02

struct run {
	struct reference ref;
	struct reference_settings s;
	struct calibration cal;
	struct activity act;
	bool has[ROLE_COUNT];
	int learned, corrected, disagrees, confirmed;
	double off_deg;
};

/* The trunk's up after leaning deg toward sensor -X (the wearer's front is -X: a forward lean
 * turns up toward +X), or sideways toward +Y. */
static void lean_up(double forward_deg, double side_deg, double up[3])
{
	double f = forward_deg * RAD_PER_DEG, s = side_deg * RAD_PER_DEG;

	up[0] = sin(f);
	up[1] = sin(s);
	up[2] = cos(f) * cos(s);
	vec3_normalize(up);
}

/* Calibrated with the trunk leaning ref_deg forward (negative: reclined), forward unknown. */
static void setup(struct run *r, double ref_deg, bool explicit_cal)
{
	struct posture_settings ps;
	double up[ROLE_COUNT][3] = { { 0 } };

	memset(r, 0, sizeof(*r));
	reference_default_settings(&r->s);
	reference_init(&r->ref);
	posture_default_settings(&ps);
	r->has[ROLE_TRUNK] = true;
	lean_up(ref_deg, 0.0, up[ROLE_TRUNK]);
	posture_calibrate(&r->cal, &ps, r->has, up);
	reference_calibrated(&r->ref, &r->s, &r->cal, explicit_cal);
	activity_init(&r->act);
}

/* duration_s in one pose and activity class. */
static void hold(struct run *r, double forward_deg, double side_deg, enum activity_class cls,
		 bool walking, double duration_s)
{
	double up[ROLE_COUNT][3] = { { 0 } };

	lean_up(forward_deg, side_deg, up[ROLE_TRUNK]);
	r->act.cls = cls;
	r->act.walking = walking;
	for (int i = 0; i < (int)(duration_s / DT_S + 0.5); i++) {
		struct reference_result res;

		r->act.walking_s = walking ? r->act.walking_s + DT_S : 0.0;
		reference_update(&r->ref, &r->s, &r->cal, DT_S, r->has, up, &r->act, &res);
		r->learned += res.change == REFERENCE_FORWARD_LEARNED;
		r->corrected += res.change == REFERENCE_CORRECTED;
		r->disagrees += res.change == REFERENCE_WALK_DISAGREES;
		r->confirmed += res.change == REFERENCE_WALK_CONFIRMED;
		if (res.change != REFERENCE_NONE)
			r->off_deg = res.off_deg;
	}
}

/* Standing up from sitting upright: the trunk swings 35 deg forward while moving, and ends
 * upright and still. */
static void stand_up(struct run *r)
{
	hold(r, 0.0, 0.0, ACTIVITY_STILL, false, 1.0);
	hold(r, 35.0, 0.0, ACTIVITY_MOVING, false, 1.2);
	hold(r, 0.0, 0.0, ACTIVITY_STILL, false, 1.0);
}

static void forward_is_learned_from_standing_up(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 0.0, false);
	stand_up(&r);
	assert_int_equal(r.learned, 1);
	assert_true(r.cal.forward_known[ROLE_TRUNK]);
	/* The wearer's front is sensor -X. */
	assert_near(r.cal.forward[ROLE_TRUNK][0], -1.0, 1e-6);
}

/* Reclining 40 deg backward and staying there is a still lean: no forward from it. */
static void no_forward_from_reclining(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 0.0, false);
	hold(&r, -40.0, 0.0, ACTIVITY_MOVING, false, 1.5);
	hold(&r, -40.0, 0.0, ACTIVITY_STILL, false, 120.0);
	assert_int_equal(r.learned, 0);
	assert_false(r.cal.forward_known[ROLE_TRUNK]);
}

/* Lying down on the back passes through a backward lean while moving and ends lying: nothing. */
static void no_forward_from_lying_down(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 0.0, false);
	hold(&r, -40.0, 0.0, ACTIVITY_MOVING, false, 1.5);
	hold(&r, -85.0, 0.0, ACTIVITY_LYING, false, 60.0);
	hold(&r, -40.0, 0.0, ACTIVITY_MOVING, false, 1.5);
	hold(&r, 0.0, 0.0, ACTIVITY_MOVING, false, 1.0);
	assert_false(r.cal.forward_known[ROLE_TRUNK]);
	/* Getting up from lying ended upright, but it began lying: its leans teach nothing. One
	 * real stand-up still teaches the right way. */
	hold(&r, 0.0, 0.0, ACTIVITY_STILL, false, 1.0);
	stand_up(&r);
	assert_true(r.cal.forward_known[ROLE_TRUNK]);
	assert_true(r.cal.forward[ROLE_TRUNK][0] < -0.9);
}

/* Putting the sensor on swings it every way: the leans do not agree, so nothing is learned. */
static void no_forward_from_donning(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 0.0, false);
	hold(&r, 40.0, 0.0, ACTIVITY_MOVING, false, 0.6);
	hold(&r, -40.0, 0.0, ACTIVITY_MOVING, false, 0.6);
	hold(&r, 0.0, 40.0, ACTIVITY_MOVING, false, 0.6);
	hold(&r, 0.0, -40.0, ACTIVITY_MOVING, false, 0.6);
	hold(&r, 0.0, 0.0, ACTIVITY_STILL, false, 1.0);
	assert_false(r.cal.forward_known[ROLE_TRUNK]);
}

/* A start-up calibration taken sitting reclined 25 deg is corrected by 30 s of walking. */
static void walking_corrects_a_reclined_start(void **state)
{
	struct run r;
	double up[3];

	(void)state;
	setup(&r, -25.0, false);
	hold(&r, 6.0, 0.0, ACTIVITY_MOVING, true, 20.0);
	assert_int_equal(r.corrected, 0); /* not enough walking yet */
	hold(&r, 6.0, 0.0, ACTIVITY_MOVING, true, 15.0);
	assert_int_equal(r.corrected, 1);
	assert_near(r.off_deg, 25.0, 0.5);
	/* Forward unknown: the walking trunk's own direction is the reference, 6 deg off upright
	 * at most. */
	lean_up(0.0, 0.0, up);
	assert_true(acos(vec3_dot(up, r.cal.up_ref[ROLE_TRUNK])) * DEG_PER_RAD < 6.5);
	assert_true(r.cal.walking_known[ROLE_TRUNK]);
}

/* An explicit calibration while slumped is kept, but walking's disagreement is reported once. */
static void walking_warns_about_an_explicit_slumped_calibration(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 30.0, true);
	hold(&r, 6.0, 0.0, ACTIVITY_MOVING, true, 70.0);
	assert_int_equal(r.corrected, 0);
	assert_int_equal(r.disagrees, 1);
	/* Forward unknown: 24 deg from the reference, less the 6 deg a walking trunk leans. */
	assert_near(r.off_deg, 18.0, 0.5);
	/* The reference stayed as asked. */
	assert_true(r.cal.up_ref[ROLE_TRUNK][0] > 0.49);
}

/* A good reference is confirmed once, and then left alone. */
static void walking_confirms_a_good_reference(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 0.0, false);
	hold(&r, 6.0, 0.0, ACTIVITY_MOVING, true, 100.0);
	assert_int_equal(r.confirmed, 1);
	assert_int_equal(r.corrected, 0);
	assert_true(r.cal.walking_known[ROLE_TRUNK]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forward_is_learned_from_standing_up),
		cmocka_unit_test(no_forward_from_reclining),
		cmocka_unit_test(no_forward_from_lying_down),
		cmocka_unit_test(no_forward_from_donning),
		cmocka_unit_test(walking_corrects_a_reclined_start),
		cmocka_unit_test(walking_warns_about_an_explicit_slumped_calibration),
		cmocka_unit_test(walking_confirms_a_good_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
