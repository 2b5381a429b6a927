/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The detector driven by scripts of angles and time steps: time is an input, never the clock. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "near.h"

#include "postured/detector.h"

#define STEP_S 0.1

struct script_run {
	struct detector det;
	double t_s;
	bool moving; /* the wearer moves (what activity.c would say), since moving_s */
	double moving_s;
	char log[1024]; /* "9.0 started trunk 8.0; 14.0 alert 2; ..." */
};

static void setup_run(struct script_run *run)
{
	struct detector_settings s;

	detector_default_settings(&s);
	/* Short holds keep the scripts short: 10 s at 20 deg falling to 2 s at 60 deg. */
	s.rule[ANGLE_TRUNK] = (struct angle_rule){ true, 20.0, 10.0, 60.0, 2.0 };
	s.rule[ANGLE_NECK] = (struct angle_rule){ true, 25.0, 6.0, 85.0, 2.0 };
	s.realert_s = 5.0;
	memset(run, 0, sizeof(*run));
	detector_init(&run->det, &s);
}

/* Holds the given trunk flexion (and neck, lateral) for duration_s, logging every decision. */
static void hold(struct script_run *run, double trunk_deg, double neck_deg, double lateral_deg,
		 double duration_s)
{
	int steps = (int)(duration_s / STEP_S + 0.5);

	for (int i = 0; i < steps; i++) {
		struct detector_input in = {
			.t_s = run->t_s,
			.valid = { true, true, true },
			.angle_deg = { trunk_deg, neck_deg, lateral_deg },
			/* What activity.c would say at lying_deg = 70. */
			.activity = fabs(trunk_deg) > 70.0 ? ACTIVITY_LYING
				    : run->moving	   ? ACTIVITY_MOVING
							   : ACTIVITY_STILL,
			.moving_s = run->moving_s,
		};
		struct detector_result r;
		size_t used = strlen(run->log);

		detector_update(&run->det, &in, &r);
		switch (r.decision) {
		case DECISION_SLUMP_STARTED:
			snprintf(run->log + used, sizeof(run->log) - used, "%.1f started %s %.1f; ",
				 run->t_s, angle_name(r.cause), r.duration_s);
			break;
		case DECISION_ALERT:
			snprintf(run->log + used, sizeof(run->log) - used, "%.1f alert %u; ",
				 run->t_s, r.alert_count);
			break;
		case DECISION_SLUMP_ENDED:
			snprintf(run->log + used, sizeof(run->log) - used, "%.1f ended %.1f; ",
				 run->t_s, r.duration_s);
			break;
		case DECISION_NONE:
			break;
		}
		run->t_s += STEP_S;
		run->moving_s = run->moving ? run->moving_s + STEP_S : 0.0;
	}
}

/* 30 deg is allowed 10 + (30-20)/(60-20) * (2-10) = 8 s: the slump starts 8 s after onset. */
static void sustained_slump_alerts_repeats_and_ends(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	hold(&run, 5.0, 0.0, 0.0, 1.0);
	hold(&run, 30.0, 0.0, 0.0, 19.0);
	assert_int_equal(run.det.state, STATE_SLUMPED);
	hold(&run, 5.0, 0.0, 0.0, 2.0);
	assert_string_equal(run.log, "9.0 started trunk 8.0; 14.0 alert 2; 19.0 alert 3; "
				     "20.0 ended 19.0; ");
	assert_int_equal(run.det.state, STATE_UPRIGHT);
}

/* Holding time is for static postures: a short movement pauses the dose, it does not grow. */
static void a_short_movement_pauses_the_dose(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	/* 30 deg is allowed 8 s. Each step counts when the wearer is still at its end: 4.9 s of
	 * the first 5 s, none of the 3 s moving (below movement_break_s), so the last 3.1 s are
	 * still needed from 7.9 s: the slump starts at 11.0 s, 11 s after the onset. */
	hold(&run, 30.0, 0.0, 0.0, 5.0);
	run.moving = true;
	hold(&run, 30.0, 0.0, 0.0, 3.0);
	assert_int_equal(run.det.state, STATE_LEANING);
	run.moving = false;
	hold(&run, 30.0, 0.0, 0.0, 4.0);
	assert_string_equal(run.log, "11.0 started trunk 11.0; ");
}

/* A real movement break (walking, standing up) resets the dose and ends a slump. */
static void a_movement_break_resets_and_ends_the_slump(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	hold(&run, 30.0, 0.0, 0.0, 9.0);
	assert_int_equal(run.det.state, STATE_SLUMPED);
	run.moving = true;
	/* No re-alert while moving, even past realert_s; ended once moving for 5 s. */
	hold(&run, 30.0, 0.0, 0.0, 6.0);
	run.moving = false;
	assert_int_equal(run.det.state, STATE_LEANING);
	/* Back at 30 deg and still from 15.0 s: the full 8 s again, counted from the end of the
	 * movement (14.9 s, the lean's new onset). */
	hold(&run, 30.0, 0.0, 0.0, 9.0);
	assert_string_equal(run.log, "8.0 started trunk 8.0; 14.0 ended 14.0; "
				     "23.0 started trunk 8.1; ");
}

/* Head inclination (the head's own tilt) has its own ISO curve. */
static void head_inclination_is_watched(void **state)
{
	struct script_run run;
	struct detector_input in = { .valid = { [ANGLE_HEAD] = true } };
	struct detector_result r = { 0 };

	(void)state;
	setup_run(&run);
	run.det.settings.rule[ANGLE_HEAD] = (struct angle_rule){ true, 25.0, 8.0, 85.0, 2.0 };
	in.angle_deg[ANGLE_HEAD] = 55.0; /* allowed 8 + 30/60 * (2-8) = 5 s */
	for (int i = 0; i <= 50 && r.decision == DECISION_NONE; i++) {
		in.t_s = i * STEP_S;
		detector_update(&run.det, &in, &r);
	}
	assert_int_equal(r.decision, DECISION_SLUMP_STARTED);
	assert_string_equal(angle_name(r.cause), "head");
	assert_near(in.t_s, 5.0, 1e-9);
}

/* Correcting slowly through the hysteresis band is not buzzed again. */
static void no_realert_while_correcting(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	hold(&run, 30.0, 0.0, 0.0, 13.0);
	hold(&run, 17.0, 0.0, 0.0, 4.0);
	hold(&run, 10.0, 0.0, 0.0, 1.0);
	assert_string_equal(run.log, "8.0 started trunk 8.0; 17.0 ended 17.0; ");
}

/* Reaching for a cup: deep but brief. 45 deg allows 5 s; 3 s must never alert. */
static void brief_reach_never_alerts(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	for (int i = 0; i < 5; i++) {
		hold(&run, 0.0, 0.0, 0.0, 2.0);
		hold(&run, 45.0, 0.0, 0.0, 3.0);
		assert_int_equal(run.det.state, STATE_LEANING);
	}
	hold(&run, 0.0, 0.0, 0.0, 1.0);
	assert_string_equal(run.log, "");
}

/* Deeper slumps are allowed less time (ISO 11226): 60 deg and beyond alert after 2 s. */
static void deeper_lean_alerts_sooner(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	hold(&run, 65.0, 0.0, 0.0, 3.0);
	assert_string_equal(run.log, "2.0 started trunk 2.0; ");
}

/* Wobbling around the threshold (17..22 deg) is one lean, not many short ones. */
static void hysteresis_keeps_one_episode(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	for (int i = 0; i < 6; i++) {
		hold(&run, 22.0, 0.0, 0.0, 2.0);
		hold(&run, 17.0, 0.0, 0.0, 1.0);
	}
	/* 22 deg allows 9.6 s and only time above 20 deg counts: 1.9 s in the first 2 s window
	 * (its first interval began upright), 2 s in each later one: 9.6 s is reached at 13.6 s. */
	assert_string_equal(run.log, "13.6 started trunk 13.6; ");
	hold(&run, 14.0, 0.0, 0.0, 1.0);
	assert_string_equal(run.log, "13.6 started trunk 13.6; 18.0 ended 18.0; ");
}

static void forward_head_with_upright_trunk_is_neck(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	hold(&run, 2.0, 40.0, 0.0, 8.0);
	/* 40 deg of neck flexion allows 6 + 15/60 * (2-6) = 5 s. */
	assert_string_equal(run.log, "5.0 started neck 5.0; ");
}

/* Lying down is not slumping: a trunk beyond lying_deg ends a slump and never alerts. */
static void lying_down_is_not_a_slump(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	hold(&run, 35.0, 0.0, 0.0, 8.0);
	assert_int_equal(run.det.state, STATE_SLUMPED);
	hold(&run, 85.0, 0.0, 0.0, 60.0);
	assert_int_equal(run.det.state, STATE_LYING);
	/* 35 deg allows 10 + 15/40 * (2-10) = 7 s. */
	assert_string_equal(run.log, "7.0 started trunk 7.0; 8.0 ended 8.0; ");
}

/* Side bending counts either way. */
static void side_bending_either_way(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	run.det.settings.rule[ANGLE_LATERAL] = (struct angle_rule){ true, 10.0, 4.0, 30.0, 4.0 };
	hold(&run, 0.0, 0.0, -15.0, 5.0);
	assert_string_equal(run.log, "4.0 started lateral 4.0; ");
}

/* A sensor gap (no samples for longer than max_gap_s) is not counted as holding a posture. */
static void gaps_are_not_holding_time(void **state)
{
	struct script_run run;

	(void)state;
	setup_run(&run);
	hold(&run, 30.0, 0.0, 0.0, 5.0);
	run.t_s += 60.0;
	hold(&run, 30.0, 0.0, 0.0, 2.0);
	assert_string_equal(run.log, "");
	hold(&run, 30.0, 0.0, 0.0, 2.0);
	assert_string_equal(run.log, "68.1 started trunk 68.1; ");
}

/* Samples without any valid angle (a lost sensor) neither end a slump nor count as holding. */
static void no_angles_pause_the_detector(void **state)
{
	struct script_run run;
	struct detector_input none = { 0 };
	struct detector_result r;

	(void)state;
	setup_run(&run);
	hold(&run, 30.0, 0.0, 0.0, 10.0);
	assert_int_equal(run.det.state, STATE_SLUMPED);
	for (int i = 0; i < 50; i++) {
		none.t_s = run.t_s;
		detector_update(&run.det, &none, &r);
		assert_int_equal(r.decision, DECISION_NONE);
		run.t_s += STEP_S;
	}
	assert_int_equal(run.det.state, STATE_SLUMPED);
	hold(&run, 5.0, 0.0, 0.0, 1.0);
	assert_string_equal(run.log, "8.0 started trunk 8.0; 15.0 ended 15.0; ");
}

static void reloaded_settings_apply_to_the_running_lean(void **state)
{
	struct script_run run;
	struct detector_settings s;

	(void)state;
	setup_run(&run);
	hold(&run, 30.0, 0.0, 0.0, 4.0);
	s = run.det.settings;
	s.rule[ANGLE_TRUNK].threshold_deg = 40.0;
	s.rule[ANGLE_TRUNK].max_deg = 80.0;
	detector_set_settings(&run.det, &s);
	hold(&run, 30.0, 0.0, 0.0, 20.0);
	assert_string_equal(run.log, "");
	assert_int_equal(run.det.state, STATE_UPRIGHT); /* 30 is below 40 - 5 deg of hysteresis */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sustained_slump_alerts_repeats_and_ends),
		cmocka_unit_test(no_realert_while_correcting),
		cmocka_unit_test(brief_reach_never_alerts),
		cmocka_unit_test(deeper_lean_alerts_sooner),
		cmocka_unit_test(hysteresis_keeps_one_episode),
		cmocka_unit_test(forward_head_with_upright_trunk_is_neck),
		cmocka_unit_test(lying_down_is_not_a_slump),
		cmocka_unit_test(side_bending_either_way),
		cmocka_unit_test(gaps_are_not_holding_time),
		cmocka_unit_test(a_short_movement_pauses_the_dose),
		cmocka_unit_test(a_movement_break_resets_and_ends_the_slump),
		cmocka_unit_test(head_inclination_is_watched),
		cmocka_unit_test(no_angles_pause_the_detector),
		cmocka_unit_test(reloaded_settings_apply_to_the_running_lean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
